package io.fondation.worker.bench;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code workers} worker processes ({@code java -jar fondation-worker.jar run} with the documented JVM options,
 * {@link BenchEnv#documentedOptions()}) × {@code slots} slots on one SQLite file, the instant analyzer writing 10 documents: how fast a
 * burst of jobs is done, and whether any job ran twice (each analyzer run appends a line to its job's file).
 */
final class ThroughputBench {

    /** The figures of one run. */
    record Result(
            int workers,
            int slots,
            int jobs,
            double seconds,
            double jobsPerSecond,
            int duplicates,
            int failed,
            double workerCpuMillisPerJob,
            double childrenCpuMillisPerJob) {}

    private static final Duration LIMIT = Duration.ofMinutes(10);

    private final Path scratch;
    private final Path repository;

    ThroughputBench(Path scratch, Path repository) {
        this.scratch = scratch;
        this.repository = repository;
    }

    Result run(int workers, int slots, int jobs) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("throughput"));
        Path timing = Files.createDirectories(dir.resolve("timing"));
        Path script = BenchEnv.analyzer(dir.resolve("bin"));
        Path database = dir.resolve("queue.db");
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (JobQueue queue = SqliteJobQueue.open(database, Clock.systemUTC())) {
            for (int w = 0; w < workers; w++) {
                Map<String, String> env = new HashMap<>();
                env.put("WORKER_ID", "bench-w" + w);
                env.put("QUEUE", "embedded");
                env.put("EMBEDDED_DB_PATH", database.toString());
                env.put("TEMP_DIR", dir.resolve("tmp").toString());
                env.put("MAX_CONCURRENT_JOBS", Integer.toString(slots));
                env.put("ANALYZER", "command");
                env.put("ANALYZER_COMMAND", BenchEnv.analyzerCommand(script));
                // why: the analyzer records its own start and end there, outside its sandbox's output directory
                env.put("ANALYZER_WRITABLE_DIRS", timing.toString());
                env.put("HEALTH_PORT", "-1");
                env.put("MIN_FREE_DISK_MB", "0");
                List<String> command = new ArrayList<>(List.of(BenchEnv.java(), "-Xmx256m"));
                command.addAll(BenchEnv.documentedOptions());
                command.addAll(List.of("-jar", BenchEnv.jar().toString(), "run"));
                Path log = dir.resolve("worker-" + w + ".log");
                logs.add(log);
                processes.add(BenchEnv.start(command, env, log));
            }
            long deadline = System.nanoTime() + LIMIT.toNanos();
            for (Path log : logs) {
                while (!Files.exists(log) || !Files.readString(log).contains(" started on ")) {
                    check(deadline, processes, log);
                    TimeUnit.MILLISECONDS.sleep(20); // why: a bounded wait for a child process's log line
                }
            }
            long[] cpuBefore = cpu(processes);
            long started = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                queue.enqueue(JobSpec.of(CloneSource.ofUrl(repository.toString(), null), timing + " 10"));
            }
            int finished = 0;
            while (finished < jobs) {
                check(deadline, processes, logs.get(0));
                TimeUnit.MILLISECONDS.sleep(20); // why: a bounded poll of the queue's counts
                finished = queue.list(JobStatus.COMPLETED, jobs + 1).size()
                        + queue.list(JobStatus.DEAD, jobs + 1).size()
                        + queue.list(JobStatus.FAILED, jobs + 1).size();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long[] cpuAfter = cpu(processes);
            int failed = jobs - queue.list(JobStatus.COMPLETED, jobs + 1).size();
            int duplicates = 0;
            try (var files = Files.list(timing)) {
                for (Path file : files.toList()) {
                    duplicates += Files.readAllLines(file).size() - 1;
                }
            }
            Result result = new Result(
                    workers,
                    slots,
                    jobs,
                    seconds,
                    jobs / seconds,
                    duplicates,
                    failed,
                    (cpuAfter[0] - cpuBefore[0]) / (double) jobs,
                    (cpuAfter[1] - cpuBefore[1]) / (double) jobs);
            System.out.printf("BENCHMARK throughput: %s%n", result);
            return result;
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** The worker processes' own CPU time and their waited-for children's, summed, in ms. */
    private static long[] cpu(List<Process> processes) {
        long own = 0;
        long children = 0;
        for (Process process : processes) {
            own += BenchEnv.cpuMillis(process.pid());
            children += BenchEnv.childrenCpuMillis(process.pid());
        }
        return new long[] {own, children};
    }

    private static void check(long deadline, List<Process> processes, Path log) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("throughput run over its time limit; " + Files.readString(log));
        }
        for (Process process : processes) {
            if (!process.isAlive()) {
                throw new IllegalStateException("a worker process died: " + Files.readString(log));
            }
        }
    }
}
