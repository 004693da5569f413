package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes through {@link ProcessRunner}. */
class ProcessRunnerTest {

    @TempDir
    Path dir;

    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void passesArgumentsVerbatimWithoutAShellAndRunsInTheWorkingDirectory() throws Exception {
        List<String> command = Fixtures.bash("args.sh", "two words", "$(touch pwned)", "a;b", "'quoted'", "", "*");
        List<String> lines = new ArrayList<>();
        ProcessOutcome outcome = run(
                new ProcessSpec(command, dir, Fixtures.minimalEnv(), Duration.ofSeconds(30), null),
                (channel, line) -> lines.add(line));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines)
                .containsExactly(
                        "<two words>",
                        "<$(touch pwned)>",
                        "<a;b>",
                        "<'quoted'>",
                        "<>",
                        "<*>",
                        "cwd=" + dir.toRealPath());
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void theChildGetsExactlyTheGivenEnvironmentAndAClosedStdin() throws Exception {
        Map<String, String> env = new HashMap<>(Fixtures.minimalEnv());
        env.put("ONLY_THIS", "value with spaces");
        List<String> lines = new ArrayList<>();
        ProcessOutcome outcome = run(
                new ProcessSpec(Fixtures.bash("env-and-stdin.sh"), dir, env, Duration.ofSeconds(30), null),
                (channel, line) -> lines.add(line));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.timedOut()).isFalse();
        assertThat(lines).contains("ONLY_THIS=value with spaces", "stdin=[]");
        // Nothing of this JVM's own environment leaks: only ours, plus what bash itself sets.
        List<String> names = lines.stream()
                .filter(l -> l.contains("=") && !l.startsWith("stdin="))
                .map(l -> l.substring(0, l.indexOf('=')))
                .toList();
        assertThat(names)
                .contains("ONLY_THIS", "PATH", "LANG")
                .isSubsetOf("ONLY_THIS", "PATH", "LANG", "PWD", "SHLVL", "_", "OLDPWD");
    }

    @Test
    void drainsStdoutAndStderrConcurrently() throws Exception {
        AtomicInteger out = new AtomicInteger();
        AtomicInteger err = new AtomicInteger();
        ProcessOutcome outcome = run(
                new ProcessSpec(
                        Fixtures.bash("both-streams.sh", "20000", "3"),
                        dir,
                        Fixtures.minimalEnv(),
                        Duration.ofSeconds(60),
                        null),
                (channel, line) -> {
                    (channel == OutputChannel.STDOUT ? out : err).incrementAndGet();
                });

        assertThat(outcome.timedOut()).isFalse();
        assertThat(out.get()).isEqualTo(20000);
        assertThat(err.get()).isEqualTo(20000);
        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.signal()).isNull();
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.describe()).isEqualTo("exit code 3");
        assertThat(outcome.stdoutTail()).endsWith("out line 20000\n");
        assertThat(outcome.stderrTail()).endsWith("err line 20000 with some padding to fill the pipe quickly......\n");
        assertThat(outcome.stderrTail().length()).isLessThanOrEqualTo(ProcessRunner.DEFAULT_TAIL_BYTES);
    }

    @Test
    void survivesOverlongLinesAndInvalidUtf8() throws Exception {
        List<String> lines = new ArrayList<>();
        ProcessRunner small = new ProcessRunner(1024, 4096, ProcessRunner.DEFAULT_SNAPSHOT_INTERVAL);
        RunningProcess process = small.start(
                new ProcessSpec(
                        Fixtures.bash("odd-output.sh"), dir, Fixtures.minimalEnv(), Duration.ofSeconds(30), null),
                (channel, line) -> lines.add(line));
        ProcessOutcome outcome = process.await();

        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("aaaa").contains("line truncated, 2995904 bytes dropped");
        assertThat(lines.get(0).length()).isLessThan(4200);
        assertThat(lines.get(1)).isEqualTo("bad \uFFFD\uFFFD bytes \uFFFD");
        assertThat(lines.get(2)).isEqualTo("café ok");
        assertThat(lines.get(3)).isEqualTo("no newline at end");
        assertThat(outcome.stdoutTail()).endsWith("no newline at end").hasSizeLessThanOrEqualTo(1024);
    }

    @Test
    void reportsDeathBySignal() throws Exception {
        ProcessOutcome outcome = run(
                new ProcessSpec(
                        List.of("bash", "-c", "kill -KILL $$"),
                        dir,
                        Fixtures.minimalEnv(),
                        Duration.ofSeconds(30),
                        null),
                OutputListener.NONE);
        assertThat(outcome.signal()).isEqualTo(9);
        assertThat(outcome.exitCode()).isEqualTo(-1);
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.canceled()).isFalse();
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.describe()).isEqualTo("killed by signal 9 (SIGKILL)");
    }

    @Test
    void aFailingListenerDoesNotStopTheDraining() throws Exception {
        AtomicLong seen = new AtomicLong();
        ProcessOutcome outcome = run(
                new ProcessSpec(
                        Fixtures.bash("both-streams.sh", "5000", "0"),
                        dir,
                        Fixtures.minimalEnv(),
                        Duration.ofSeconds(60),
                        null),
                (channel, line) -> {
                    seen.incrementAndGet();
                    throw new IllegalStateException("listener bug");
                });
        assertThat(outcome.succeeded()).isTrue();
        assertThat(seen.get()).isEqualTo(10000);
    }

    @Test
    void listenerCallsAreNeverConcurrent() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        List<Integer> overlaps = new CopyOnWriteArrayList<>();
        run(
                new ProcessSpec(
                        Fixtures.bash("both-streams.sh", "3000", "0"),
                        dir,
                        Fixtures.minimalEnv(),
                        Duration.ofSeconds(60),
                        null),
                (channel, line) -> {
                    if (inside.incrementAndGet() > 1) {
                        overlaps.add(1);
                    }
                    inside.decrementAndGet();
                });
        assertThat(overlaps).isEmpty();
    }

    @Test
    void aMissingExecutableIsAStartErrorNamingIt() {
        Path missing = dir.resolve("no-such-cli");
        assertThatThrownBy(() -> runner.start(
                        new ProcessSpec(
                                List.of(missing.toString()), dir, Fixtures.minimalEnv(), Duration.ofSeconds(5), null),
                        OutputListener.NONE))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aNonExecutableFileIsAStartErrorNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("cli.sh"), "#!/bin/sh\necho hi\n");
        assertThatThrownBy(() -> runner.start(
                        new ProcessSpec(
                                List.of(file.toString()), dir, Fixtures.minimalEnv(), Duration.ofSeconds(5), null),
                        OutputListener.NONE))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not executable");
    }

    @Test
    void anUnknownCommandNameIsAStartErrorNamingIt() {
        assertThatThrownBy(() -> runner.start(
                        new ProcessSpec(
                                List.of("fondation-no-such-command"),
                                dir,
                                Fixtures.minimalEnv(),
                                Duration.ofSeconds(5),
                                null),
                        OutputListener.NONE))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("fondation-no-such-command");
    }

    @Test
    void aMissingWorkingDirectoryIsAStartError() {
        Path missing = dir.resolve("gone");
        assertThatThrownBy(() -> runner.start(
                        new ProcessSpec(List.of("true"), missing, Fixtures.minimalEnv(), Duration.ofSeconds(5), null),
                        OutputListener.NONE))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void specsAreValidatedAndNeverPrintEnvironmentValues() {
        assertThatThrownBy(() -> new ProcessSpec(List.of(), dir, Map.of(), Duration.ofSeconds(1), null))
                .hasMessageContaining("executable");
        assertThatThrownBy(() -> new ProcessSpec(List.of("x"), dir, Map.of(), Duration.ZERO, null))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> new ProcessSpec(List.of("x", "a\0b"), dir, Map.of(), Duration.ofSeconds(1), null))
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> new ProcessSpec(List.of("x"), dir, Map.of("A=B", "v"), Duration.ofSeconds(1), null))
                .hasMessageContaining("A=B");
        ProcessSpec spec =
                new ProcessSpec(List.of("x"), dir, Map.of("SECRET_THING", "test-secret"), Duration.ofSeconds(1), null);
        assertThat(spec.toString()).contains("SECRET_THING").doesNotContain("test-secret");
        assertThat(spec.killGrace()).isEqualTo(ProcessSpec.DEFAULT_KILL_GRACE);
    }

    private ProcessOutcome run(ProcessSpec spec, OutputListener listener) throws InterruptedException {
        return runner.start(spec, listener).await();
    }
}
