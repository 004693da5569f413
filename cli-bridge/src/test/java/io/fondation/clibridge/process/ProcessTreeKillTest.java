package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child that ignores SIGTERM and spawns grandchildren that ignore it too (one of them orphaned
 * and re-parented) leaves nothing behind after a timeout, a cancel, or a normal exit.
 */
class ProcessTreeKillTest {

    private static final Duration SNAPSHOT = Duration.ofMillis(100);

    private final ProcessRunner runner =
            new ProcessRunner(ProcessRunner.DEFAULT_TAIL_BYTES, ProcessRunner.DEFAULT_MAX_LINE_BYTES, SNAPSHOT);

    @TempDir
    Path dir;

    @Test
    void timeoutKillsTheWholeTreeIncludingReparentedOrphans() throws Exception {
        Path pidFile = dir.resolve("pids");
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("process-tree.sh", pidFile.toString()),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofSeconds(6),
                Duration.ofMillis(300));

        List<String> lines = new CopyOnWriteArrayList<>();
        RunningProcess process = runner.start(spec, (channel, line) -> lines.add(line));
        ProcessOutcome outcome = process.await();

        assertThat(lines).contains("READY");
        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.canceled()).isFalse();
        assertThat(outcome.succeeded()).isFalse();
        // The fixture ignores SIGTERM, so only SIGKILL ended it.
        assertThat(outcome.signal()).isEqualTo(9);
        assertThat(outcome.exitCode()).isEqualTo(-1);
        assertThat(outcome.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
        assertNoneAlive(process.pid(), pidFile);
    }

    @Test
    void cancelKillsTheWholeTree() throws Exception {
        Path pidFile = dir.resolve("pids");
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("process-tree.sh", pidFile.toString()),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(5),
                Duration.ofMillis(300));
        List<String> lines = new CopyOnWriteArrayList<>();
        RunningProcess process = runner.start(spec, (channel, line) -> lines.add(line));
        await().atMost(Duration.ofSeconds(20)).until(() -> lines.contains("READY"));

        process.cancel();
        ProcessOutcome outcome = process.await();

        assertThat(outcome.canceled()).isTrue();
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.signal()).isEqualTo(9);
        assertThat(outcome.duration()).isLessThan(Duration.ofMinutes(1));
        assertNoneAlive(process.pid(), pidFile);
    }

    @Test
    void leftoverDescendantsAreKilledAfterANormalExit() throws Exception {
        Path pidFile = dir.resolve("pids");
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("process-tree.sh", pidFile.toString(), "exit"),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(5),
                Duration.ofMillis(300));

        RunningProcess process = runner.start(spec, OutputListener.NONE);
        ProcessOutcome outcome = process.await();

        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.stdoutTail()).contains("READY");
        assertNoneAlive(process.pid(), pidFile);
    }

    @Test
    void aChildThatHonoursSigtermIsNotKeptWaitingForTheGracePeriod() throws Exception {
        // bash runs sleep in the foreground and dies of SIGTERM like sleep itself.
        ProcessSpec spec = new ProcessSpec(
                List.of("bash", "-c", "sleep 1000 & sleep 1000; wait"),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofMillis(500),
                Duration.ofMinutes(5));
        RunningProcess process = runner.start(spec, OutputListener.NONE);
        ProcessOutcome outcome = process.await();

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.signal()).isEqualTo(15);
        assertThat(outcome.describe()).isEqualTo("killed by signal 15 (SIGTERM), timed out");
        // Far less than the five-minute grace: SIGKILL was never needed.
        assertThat(outcome.duration()).isLessThan(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> process.isAlive() == false);
    }

    @Test
    void cancelAfterExitChangesNothing() throws Exception {
        ProcessSpec spec = new ProcessSpec(List.of("true"), dir, Fixtures.minimalEnv(), Duration.ofSeconds(30), null);
        RunningProcess process = new ProcessRunner().start(spec, OutputListener.NONE);
        ProcessOutcome outcome = process.await();
        process.cancel();
        assertThat(process.await()).isEqualTo(outcome);
        assertThat(outcome.canceled()).isFalse();
        assertThat(outcome.succeeded()).isTrue();
    }

    private static void assertNoneAlive(long rootPid, Path pidFile) throws IOException {
        List<Long> pids = Files.readAllLines(pidFile).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(Long::parseLong)
                .collect(Collectors.toList());
        assertThat(pids).hasSize(4);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ProcessHandle.of(rootPid).filter(ProcessHandle::isAlive)).isEmpty();
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                        .as("process %d from the fixture's tree", pid)
                        .isEmpty();
            }
        });
    }
}
