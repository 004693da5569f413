package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several real JVMs share one queue file and race for its jobs: every job must be claimed by exactly
 * one process and completed, which only holds if claims are atomic across processes.
 */
class SqliteMultiProcessTest {

    private static final int CHILDREN = 3;
    private static final int JOBS = 600;

    @TempDir
    Path dir;

    @Test
    void processesSharingOneFileClaimEveryJobExactlyOnce() throws Exception {
        Path file = dir.resolve("shared").resolve("queue.db");
        Set<String> enqueued = new HashSet<>();
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, Clock.systemUTC())) {
            for (int i = 0; i < JOBS; i++) {
                enqueued.add(queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/repo-" + i, null), "")));
            }
        }

        List<Child> children = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(CHILDREN);
        long began = System.nanoTime();
        try {
            for (int i = 0; i < CHILDREN; i++) {
                children.add(Child.start(file, "child-" + i, dir, readers));
            }
            for (Child child : children) {
                child.ready.get(60, TimeUnit.SECONDS);
            }
            for (Child child : children) {
                child.send("go");
            }
            for (Child child : children) {
                assertThat(child.process.waitFor(120, TimeUnit.SECONDS))
                        .as("%s finished in time; stderr: %s", child.workerId, child.stderr())
                        .isTrue();
                child.finished.get(30, TimeUnit.SECONDS);
                assertThat(child.process.exitValue())
                        .as("%s exit code; stderr: %s", child.workerId, child.stderr())
                        .isZero();
            }
        } finally {
            for (Child child : children) {
                if (child.process.isAlive()) {
                    child.process.destroyForcibly();
                }
            }
            readers.shutdownNow();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        Map<String, String> claimedBy = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (Child child : children) {
            assertThat(child.lines)
                    .filteredOn(line -> line.startsWith("problem"))
                    .isEmpty();
            List<String> claimed = child.lines.stream()
                    .filter(line -> line.startsWith("claimed "))
                    .map(line -> line.substring("claimed ".length()))
                    .toList();
            assertThat(child.lines).contains("done " + claimed.size());
            assertThat(claimed).as("%s took part", child.workerId).isNotEmpty();
            for (String id : claimed) {
                String previous = claimedBy.put(id, child.workerId);
                if (previous != null) {
                    duplicates.add(id + " by " + previous + " and " + child.workerId);
                }
            }
        }
        System.out.printf(
                "%d processes claimed and completed %d jobs in %d ms including JVM start-up; per process: %s%n",
                CHILDREN,
                JOBS,
                millis,
                children.stream()
                        .map(child -> child.workerId + "="
                                + child.lines.stream()
                                        .filter(l -> l.startsWith("claimed "))
                                        .count())
                        .toList());
        assertThat(duplicates).as("jobs claimed twice").isEmpty();
        assertThat(claimedBy.keySet()).isEqualTo(enqueued);

        try (SqliteJobQueue queue = SqliteJobQueue.open(file, Clock.systemUTC())) {
            List<JobSnapshot> completed = queue.list(JobStatus.COMPLETED, JOBS + 10);
            assertThat(completed).hasSize(JOBS);
            for (JobSnapshot job : completed) {
                String owner = claimedBy.get(job.id());
                assertThat(job.result().message())
                        .as("job %s was completed by its claimer", job.id())
                        .isEqualTo("done by " + owner);
                assertThat(queue.documents(job.id()))
                        .extracting(Document::content)
                        .containsExactly("written by " + owner);
            }
        }
    }

    /** One child JVM running {@link QueueClaimerMain}, with its stdout collected line by line. */
    private static final class Child {
        final String workerId;
        final Process process;
        final Path stderrFile;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final CompletableFuture<Void> finished;

        private Child(String workerId, Process process, Path stderrFile, ExecutorService readers) {
            this.workerId = workerId;
            this.process = process;
            this.stderrFile = stderrFile;
            this.finished = CompletableFuture.runAsync(this::readOutput, readers);
        }

        static Child start(Path file, String workerId, Path dir, ExecutorService readers) throws IOException {
            Path tmp = Files.createDirectories(dir.resolve("tmp-" + workerId));
            Path stderr = dir.resolve(workerId + ".err");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Djava.io.tmpdir=" + tmp,
                    "-cp",
                    System.getProperty("java.class.path"),
                    QueueClaimerMain.class.getName(),
                    file.toString(),
                    workerId));
            if (Runtime.version().feature() >= 22) {
                // sqlite-jdbc loads its native library; newer JDKs warn unless native access is allowed.
                command.add(1, "--enable-native-access=ALL-UNNAMED");
            }
            Process process =
                    new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            return new Child(workerId, process, stderr, readers);
        }

        void send(String line) throws IOException {
            OutputStream stdin = process.getOutputStream();
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        private void readOutput() {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("ready")) {
                        ready.complete(null);
                    } else {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                lines.add("problem reading output: " + e);
            } finally {
                ready.completeExceptionally(
                        new IllegalStateException(workerId + " ended before it was ready; stderr: " + stderr()));
            }
        }

        String stderr() {
            try {
                return Files.exists(stderrFile) ? Files.readString(stderrFile) : "";
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }
}
