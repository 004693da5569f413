package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several worker processes (child JVMs, each with its own HTTP client and threads) claim from one
 * deployment at once: no job is handed to two workers, none is left behind.
 */
@Tag("slow")
class ConcurrentClaimsAcrossJvmsTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final int JOBS = 400;
    private static final int PROCESSES = 4;
    private static final int THREADS_PER_PROCESS = 3;

    @Test
    void childJvmsNeverClaimTheSameJob(@TempDir Path dir) throws Exception {
        Set<String> enqueued;
        try (ConvexJobQueue queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET),
                Clock.systemUTC())) {
            enqueued = IntStream.range(0, JOBS)
                    .mapToObj(i -> queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/repo-" + i, "main"), "p")))
                    .collect(Collectors.toSet());
        }
        assertThat(enqueued).hasSize(JOBS);

        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        long started = System.nanoTime();
        for (int p = 0; p < PROCESSES; p++) {
            Path out = dir.resolve("worker-" + p + ".out");
            ProcessBuilder builder = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            ClaimWorkerMain.class.getName(),
                            CONVEX.url(),
                            "jvm" + p,
                            String.valueOf(THREADS_PER_PROCESS))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            builder.environment().put("FONDATION_WORKER_SECRET", LocalConvexServer.WORKER_SECRET);
            processes.add(builder.start());
            outputs.add(out);
        }
        for (int p = 0; p < PROCESSES; p++) {
            Process process = processes.get(p);
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                processes.forEach(Process::destroyForcibly);
                throw new AssertionError("worker process " + p + " did not finish:\n" + read(outputs.get(p)));
            }
            assertThat(process.exitValue())
                    .as("exit code of worker process %d:%n%s", p, read(outputs.get(p)))
                    .isZero();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        Map<String, List<String>> claimsByJob = new HashMap<>();
        Set<String> processesThatWorked = new HashSet<>();
        for (Path out : outputs) {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("CLAIMED ")) {
                    String[] parts = line.split(" ");
                    claimsByJob
                            .computeIfAbsent(parts[1], k -> new ArrayList<>())
                            .add(parts[2] + " " + parts[3]);
                    processesThatWorked.add(parts[2].substring(0, parts[2].indexOf('-')));
                }
            }
        }
        System.out.printf(
                "%d processes x %d threads claimed and completed %d jobs in %d ms (%s)%n",
                PROCESSES, THREADS_PER_PROCESS, claimsByJob.size(), millis, processesThatWorked);

        assertThat(claimsByJob.keySet()).isEqualTo(enqueued);
        assertThat(claimsByJob)
                .allSatisfy((job, claims) -> assertThat(claims)
                        .as("claims of %s", job)
                        .singleElement()
                        .asString()
                        .endsWith("COMPLETED"));
        assertThat(processesThatWorked)
                .as("every process got work (real contention)")
                .hasSize(PROCESSES);
        try (ConvexJobQueue queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET),
                Clock.systemUTC())) {
            assertThat(queue.list(JobStatus.COMPLETED, JOBS + 1)).hasSize(JOBS);
            assertThat(queue.list(JobStatus.PENDING, 10)).isEmpty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
