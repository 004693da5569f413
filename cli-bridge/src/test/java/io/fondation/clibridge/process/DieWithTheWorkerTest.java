package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker JVM killed with SIGKILL cannot clean up: whatever its analyzer's process tree does next
 * is up to the containment. A child JVM starts a tree that ignores SIGTERM and SIGPIPE and rarely
 * writes, through a containment; then the test kills that JVM with SIGKILL.
 */
class DieWithTheWorkerTest {

    private static final Duration GONE_WITHIN = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final List<ProcessHandle> leftovers = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws IOException {
        leftovers.forEach(ProcessHandle::destroyForcibly);
        // why: outside a PID namespace the orphaned member is nobody's descendant; the fixture wrote its pid.
        Path pids = dir.resolve("heartbeat.pids");
        if (Files.exists(pids)) {
            for (String pid : Files.readAllLines(pids)) {
                ProcessHandle.of(Long.parseLong(pid.trim()))
                        .filter(p -> p.info().commandLine().orElse("").contains("stubborn-tree.sh"))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void inTheSandboxTheWholeTreeDiesWithTheJvm() throws Exception {
        Worker worker = startWorker("sandbox");
        assertThat(worker.output).contains("CONTAINMENT SANDBOX");
        List<ProcessHandle> tree = worker.tree();
        // bwrap, its init in the new PID namespace, the fixture, and its three members (one orphaned).
        assertThat(tree).hasSizeGreaterThanOrEqualTo(6);

        worker.jvm.destroyForcibly();

        await().atMost(GONE_WITHIN)
                .untilAsserted(() -> assertThat(tree)
                        .as("processes of the analyzer's tree still alive")
                        .noneMatch(ProcessTree::isRunning));
    }

    @Test
    void inItsOwnSessionTheWholeTreeDiesWithTheJvmAndKeepsItsProcessIds() throws Exception {
        Worker worker = startWorker("session");
        assertThat(worker.output).contains("CONTAINMENT SESSION");
        List<ProcessHandle> tree = worker.tree();
        // the supervisor, the fixture and its members (the orphan is nobody's descendant any more)
        assertThat(tree).hasSizeGreaterThanOrEqualTo(3);
        Path pids = worker.heartbeat.resolveSibling(worker.heartbeat.getFileName() + ".pids");
        await().atMost(GONE_WITHIN)
                .until(() -> Files.exists(pids) && Files.readAllLines(pids).size() >= 3);
        // why: no PID namespace, so the ids the members wrote are the host's (tools that record them keep working)
        List<ProcessHandle> members = Files.readAllLines(pids).stream()
                .map(pid -> ProcessHandle.of(Long.parseLong(pid.trim())).orElseThrow())
                .toList();
        assertThat(members).allMatch(ProcessTree::isRunning);

        worker.jvm.destroyForcibly();

        await().atMost(GONE_WITHIN)
                .untilAsserted(() -> assertThat(members)
                        .as("members of the analyzer's session still alive, the orphan too")
                        .noneMatch(ProcessTree::isRunning));
        assertThat(tree).noneMatch(ProcessTree::isRunning);
    }

    @Test
    void withAParentDeathSignalTheAnalyzersMainProcessDiesWithTheJvm() throws Exception {
        Worker worker = startWorker("setpriv");
        assertThat(worker.output).contains("CONTAINMENT PARENT_DEATH_SIGNAL");
        ProcessHandle main = ProcessHandle.of(worker.analyzerPid()).orElseThrow();
        leftovers.addAll(worker.tree());

        worker.jvm.destroyForcibly();

        await().atMost(GONE_WITHIN).until(() -> !ProcessTree.isRunning(main));
    }

    @Test
    void withoutContainmentTheTreeRunsOnUnattended() throws Exception {
        // why: proves the two tests above can fail, that is, that this tree does outlive a killed JVM.
        Worker worker = startWorker("none");
        leftovers.addAll(worker.tree());

        worker.jvm.destroyForcibly();
        worker.jvm.waitFor();
        long beatsAtDeath = Files.lines(worker.heartbeat).count();

        await().atMost(GONE_WITHIN).until(() -> Files.lines(worker.heartbeat).count() > beatsAtDeath + 20);
        assertThat(leftovers).anyMatch(ProcessHandle::isAlive);
    }

    private Worker startWorker(String mode) throws IOException {
        Path heartbeat = dir.resolve("heartbeat");
        Files.createFile(heartbeat);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(
                        java,
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ContainedTreeMain.class.getName(),
                        mode,
                        heartbeat.toString(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        leftovers.add(jvm.toHandle());
        Worker worker = new Worker(jvm, heartbeat);
        Thread reader = new Thread(worker::read, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(worker.output).as("the child JVM's output").contains("READY"));
        return worker;
    }

    private static final class Worker {
        final Process jvm;
        final Path heartbeat;
        final List<String> output = new CopyOnWriteArrayList<>();

        Worker(Process jvm, Path heartbeat) {
            this.jvm = jvm;
            this.heartbeat = heartbeat;
        }

        void read() {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("read failed: " + e);
            }
        }

        long analyzerPid() {
            return output.stream()
                    .filter(l -> l.startsWith("STARTED "))
                    .map(l -> Long.parseLong(l.substring(8)))
                    .findFirst()
                    .orElseThrow();
        }

        /** Every process under the JVM now (its tree is complete once READY was printed). */
        List<ProcessHandle> tree() {
            return jvm.toHandle().descendants().toList();
        }
    }
}
