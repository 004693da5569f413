package io.fondation.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.ConvexQueueSettings;
import io.fondation.convexqueue.QueueMode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.git.TestRepositories;
import io.fondation.engine.runtime.Worker;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.worker.assembly.WorkerAssembly;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Compatibility mode as the existing deployment runs it (issue 19): one worker in this JVM on the legacy fixture
 * (the existing functions, exact to the reference) behind the sync-speaking test server, jobs created the way the
 * web app creates them ({@code jobs:create}), the repository cloned from a local git host, the instant analyzer
 * writing 50 documents. Pickup by push (the real {@code queue:getMetrics}) beside the same worker polling every
 * 5 s as the existing worker does; then an idle period whose function calls are counted at the test server; then
 * a burst of 5 jobs created at once.
 */
final class CompatPickupBench {

    /**
     * The figures of one configuration.
     *
     * @param pickup {@code jobs:create} called → claimed, ms
     * @param createdToCompleted {@code jobs:create} called → completed, ms
     * @param idleCallsPerMinute function calls at the deployment during the idle period, per minute
     * @param idleSeconds how long the idle period was
     * @param burstMillis the 5 jobs created at once → the last one completed
     */
    record Result(
            String name,
            Stats pickup,
            Stats createdToCompleted,
            double idleCallsPerMinute,
            long idleSeconds,
            double burstMillis) {}

    private static final Duration JOB_LIMIT = Duration.ofSeconds(120);
    private static final int BURST = 5;

    private final Path scratch;
    private final Path repository;

    CompatPickupBench(Path scratch, Path repository) {
        this.scratch = scratch;
        this.repository = repository;
    }

    /** Waits (bounded) until {@code queue:getMetrics} pushes {@code completed} jobs and none pending or claimed. */
    private static void awaitQuiet(ConvexClient client, int completed) throws InterruptedException {
        java.util.concurrent.CountDownLatch quiet = new java.util.concurrent.CountDownLatch(1);
        try (var observer = client.subscribe("queue:getMetrics", Map.of(), value -> {
            JsonNode counts = value.path("counts");
            if (counts.path("completed").asInt() >= Math.min(completed, 100)
                    && counts.path("pending").asInt() == 0
                    && counts.path("processing").asInt() == 0) {
                quiet.countDown();
            }
        })) {
            if (!quiet.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the queue never pushed as quiet");
            }
        }
    }

    /**
     * @param push whether the worker is pushed news of work (ours), or polls every {@code pollMillis}
     * @param gapMillis the longest random pause before each job (so jobs land anywhere in a poll cycle)
     * @param idle how long the worker stays idle before the burst
     */
    Result run(String name, boolean push, long pollMillis, int jobs, int warmup, long gapMillis, Duration idle)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("compat-" + (push ? "push" : "poll")));
        Path timing = Files.createDirectories(dir.resolve("timing"));
        Path script = BenchEnv.analyzer(dir.resolve("bin"));
        Path hosting = TestRepositories.hosting(repository, dir.resolve("hosting"), "acme/widget");
        try (LocalConvexServer legacy = LocalConvexServer.legacy().start();
                ConvexClient webApp = ConvexClient.builder().url(legacy.url()).build()) {
            WebAppFixtures web = WebAppFixtures.seed(legacy, null, "acme/widget", "main");
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", dir.toString());
            env.put("WORKER_ID", "bench-compat-" + (push ? "push" : "poll"));
            env.put("QUEUE", "convex");
            env.put("CONVEX_URL", legacy.url());
            env.put("GIT_BASE_URL", hosting.toUri().toString());
            env.put("ALLOW_LOCAL_REPOSITORIES", "true");
            env.put("TEMP_DIR", dir.resolve("tmp").toString());
            env.put("POLL_INTERVAL", Long.toString(pollMillis));
            env.put("MAX_CONCURRENT_JOBS", "1");
            env.put("ANALYZER", "command");
            env.put("ANALYZER_COMMAND", BenchEnv.analyzerCommand(script));
            env.put("HEALTH_PORT", "-1");
            env.put("MIN_FREE_DISK_MB", "0");
            WorkerConfig config = WorkerConfigLoader.load(env, Map.of());
            Map<String, Long> claimed = new ConcurrentHashMap<>();
            Map<String, CompletableFuture<Long>> done = new ConcurrentHashMap<>();
            WorkerListener listener = new WorkerListener() {
                @Override
                public void onClaimed(ClaimedJob job) {
                    claimed.put(job.id(), System.nanoTime());
                }

                @Override
                public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
                    long at = System.nanoTime();
                    CompletableFuture<Long> future = done.computeIfAbsent(job.id(), id -> new CompletableFuture<>());
                    if (outcome instanceof AttemptOutcome.Completed) {
                        future.complete(at);
                    } else {
                        future.completeExceptionally(new IllegalStateException(job.id() + " ended as " + outcome));
                    }
                }
            };
            List<Double> pickup = new ArrayList<>();
            List<Double> total = new ArrayList<>();
            Random random = new Random(19);
            try (ConvexJobQueue convex =
                    ConvexJobQueue.connect(ConvexQueueSettings.of(legacy.url()), Clock.systemUTC())) {
                if (convex.mode() != QueueMode.LEGACY) {
                    throw new IllegalStateException("the fixture is not the legacy one");
                }
                JobQueue seen = push ? convex : new PollingOnlyQueue(convex);
                // why: run-job's worker, whose checks do not probe the sandbox
                Worker worker = WorkerAssembly.oneShotBuilder(config, seen, env)
                        .clock(Clock.systemUTC())
                        .listener(listener)
                        .build();
                worker.start();
                try {
                    for (int i = 0; i < jobs + warmup; i++) {
                        // why: a job at a random moment of the poll cycle, as the web app's users create them
                        TimeUnit.MILLISECONDS.sleep(500 + random.nextInt((int) gapMillis));
                        long created = System.nanoTime();
                        String id = web.createJobLikeTheWebApp(webApp, timing + " 50");
                        long completed = done.computeIfAbsent(id, k -> new CompletableFuture<>())
                                .get(JOB_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                        if (i >= warmup) {
                            pickup.add((claimed.get(id) - created) / 1e6);
                            total.add((completed - created) / 1e6);
                        }
                    }
                    // The deployment re-runs the subscribed getMetrics after the last job's final write: that run
                    // is the last job's cost, so the count starts once it was pushed.
                    awaitQuiet(webApp, jobs + warmup);
                    legacy.calls(true);
                    long idleStart = System.nanoTime();
                    // why: the idle period being measured: nothing is created, the worker's own calls are counted
                    TimeUnit.MILLISECONDS.sleep(idle.toMillis());
                    JsonNode counted = legacy.calls(false);
                    double minutes = (System.nanoTime() - idleStart) / 6e10;
                    long calls = 0;
                    for (String origin : List.of("http", "sync")) {
                        for (JsonNode count : counted.path("calls").path(origin)) {
                            calls += count.asLong();
                        }
                    }
                    long burstStart = System.nanoTime();
                    List<String> burst = new ArrayList<>();
                    for (int i = 0; i < BURST; i++) {
                        burst.add(web.createJobLikeTheWebApp(webApp, timing + " 50"));
                    }
                    long last = 0;
                    for (String id : burst) {
                        last = Math.max(
                                last,
                                done.computeIfAbsent(id, k -> new CompletableFuture<>())
                                        .get(JOB_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
                    }
                    Result result = new Result(
                            name,
                            Stats.of(pickup),
                            Stats.of(total),
                            calls / minutes,
                            idle.toSeconds(),
                            (last - burstStart) / 1e6);
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "BENCHMARK %s: pickup p50 %.1f p99 %.1f ms (%d jobs); created -> completed p50 %.1f ms;"
                                    + " idle %d calls in %.2f min (%.2f a minute); burst of %d after %d s idle: %.0f ms%n",
                            name,
                            result.pickup().median(),
                            result.pickup().percentile(99),
                            result.pickup().count(),
                            result.createdToCompleted().median(),
                            calls,
                            minutes,
                            result.idleCallsPerMinute(),
                            BURST,
                            idle.toSeconds(),
                            result.burstMillis());
                    return result;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("a benchmark job did not complete", e);
                } finally {
                    worker.stop();
                }
            }
        }
    }
}
