package io.fondation.worker.bench;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.Worker;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.worker.assembly.WorkerAssembly;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One worker in this JVM on an embedded queue, jobs submitted one at a time through another connection to the same
 * SQLite file (as the {@code submit} command does from another process), a small repository, and the instant
 * analyzer writing 50 documents. Per job: pickup (submit → claim) and overhead (claim → complete minus the
 * analyzer's own run time, which it records itself), split into before the analyzer (claim, workspace, clone,
 * spawn) and after it (collect, save, complete).
 */
final class JobOverheadBench {

    /** The figures of one configuration. */
    record Result(String name, Stats pickup, Stats overhead, Stats before, Stats after, Stats analyzer) {}

    private static final Duration JOB_LIMIT = Duration.ofSeconds(120);

    private final Path scratch;
    private final Path repository;

    JobOverheadBench(Path scratch, Path repository) {
        this.scratch = scratch;
        this.repository = repository;
    }

    /**
     * @param push whether the worker hears of new work at once (ours), or polls ({@code pollMillis})
     * @param gapMillis the longest random pause before each submit (so submits land anywhere in a poll cycle)
     */
    Result run(String name, boolean push, long pollMillis, int jobs, int warmup, long gapMillis)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("overhead-" + (push ? "push" : "poll")));
        Path timing = Files.createDirectories(dir.resolve("timing"));
        Path script = BenchEnv.analyzer(dir.resolve("bin"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", dir.toString());
        env.put("WORKER_ID", "bench-" + (push ? "push" : "poll"));
        env.put("QUEUE", "embedded");
        env.put("EMBEDDED_DB_PATH", dir.resolve("queue.db").toString());
        env.put("TEMP_DIR", dir.resolve("tmp").toString());
        env.put("POLL_INTERVAL", Long.toString(pollMillis));
        env.put("MAX_CONCURRENT_JOBS", "1");
        env.put("ANALYZER", "command");
        env.put("ANALYZER_COMMAND", BenchEnv.analyzerCommand(script));
        // why: the analyzer records its own start and end there, outside its sandbox's output directory
        env.put("ANALYZER_WRITABLE_DIRS", timing.toString());
        env.put("HEALTH_PORT", "-1");
        env.put("MIN_FREE_DISK_MB", "0");
        WorkerConfig config = WorkerConfigLoader.load(env, Map.of());
        Map<String, Instant> claimed = new ConcurrentHashMap<>();
        Map<String, CompletableFuture<Instant>> done = new ConcurrentHashMap<>();
        WorkerListener listener = new WorkerListener() {
            @Override
            public void onClaimed(ClaimedJob job) {
                claimed.put(job.id(), Instant.now());
            }

            @Override
            public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
                Instant at = Instant.now();
                CompletableFuture<Instant> future = done.computeIfAbsent(job.id(), id -> new CompletableFuture<>());
                if (outcome instanceof AttemptOutcome.Completed) {
                    future.complete(at);
                } else {
                    future.completeExceptionally(new IllegalStateException(job.id() + " ended as " + outcome));
                }
            }
        };
        List<Double> pickup = new ArrayList<>();
        List<Double> overhead = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        List<Double> analyzer = new ArrayList<>();
        Random random = new Random(42);
        try (JobQueue workerQueue = SqliteJobQueue.open(dir.resolve("queue.db"), Clock.systemUTC());
                JobQueue submitter = SqliteJobQueue.open(dir.resolve("queue.db"), Clock.systemUTC())) {
            JobQueue seen = push ? workerQueue : new PollingOnlyQueue(workerQueue);
            // why: run-job's worker, whose checks do not probe the sandbox
            Worker worker = WorkerAssembly.oneShotBuilder(config, seen, env)
                    .clock(Clock.systemUTC())
                    .listener(listener)
                    .build();
            worker.start();
            try {
                for (int i = 0; i < jobs + warmup; i++) {
                    if (gapMillis > 0) {
                        // why: a submit at a random moment of the poll cycle, as users submit
                        TimeUnit.MILLISECONDS.sleep(random.nextInt((int) gapMillis));
                    }
                    Instant submitted = Instant.now();
                    String id = submitter.enqueue(
                            JobSpec.of(CloneSource.ofUrl(repository.toString(), null), timing + " 50"));
                    Instant completed = done.computeIfAbsent(id, k -> new CompletableFuture<>())
                            .get(JOB_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    if (i < warmup) {
                        continue;
                    }
                    String[] self = Files.readString(timing.resolve(id)).trim().split(" ");
                    Instant start = Instant.EPOCH.plus(Long.parseLong(self[0]), ChronoUnit.MICROS);
                    Instant end = Instant.EPOCH.plus(Long.parseLong(self[1]), ChronoUnit.MICROS);
                    Instant claim = claimed.get(id);
                    pickup.add(millis(submitted, claim));
                    before.add(millis(claim, start));
                    after.add(millis(end, completed));
                    analyzer.add(millis(start, end));
                    overhead.add(millis(claim, completed) - millis(start, end));
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("a benchmark job did not complete", e);
            } finally {
                worker.stop();
            }
        }
        Result result = new Result(
                name, Stats.of(pickup), Stats.of(overhead), Stats.of(before), Stats.of(after), Stats.of(analyzer));
        System.out.printf(
                "BENCHMARK %s: pickup p50 %.1f p99 %.1f ms; overhead p50 %.1f p99 %.1f ms"
                        + " (before analyzer p50 %.1f, after p50 %.1f, analyzer itself p50 %.1f)%n",
                name,
                result.pickup.median(),
                result.pickup.percentile(99),
                result.overhead.median(),
                result.overhead.percentile(99),
                result.before.median(),
                result.after.median(),
                result.analyzer.median());
        return result;
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
