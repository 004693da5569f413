package io.fondation.worker.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexSubscription;
import io.fondation.convexqueue.testing.CourseWatcher;
import io.fondation.convexqueue.testing.FunctionFaultProxy;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.engine.git.TestRepositories;
import io.fondation.worker.e2e.TestAnalyzer;
import io.fondation.worker.testing.SuiteSharing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Compatibility mode on the existing deployment's functions (the legacy fixture behind the sync-speaking test
 * server), with real worker processes, the test analyzer and a local git host: push that fires from the real
 * {@code queue:getMetrics}, an idle worker that costs almost nothing, {@code kill -9} rescued with {@code
 * CONVEX_DEPLOY_KEY} and reported as {@code queue:reclaimExpired} did it, and a worker that cannot make the second
 * finishing write, whose repository's course the next claim heals.
 */
@Tag("slow")
// why concurrent: its time goes to waits the case prescribes; it runs beside the sequential classes, its own
// methods one after another (they share one test server) (SuiteSharing)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = SuiteSharing.MACHINE, mode = ResourceAccessMode.READ)
class CompatibilityModeTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FULL_NAME = "acme/widget";
    private static final String LEASE_EXPIRED = "Lease expired - worker likely crashed";

    @TempDir
    Path temp;

    /** A worker's environment on the existing functions: no worker secret, repositories cloned from the local host. */
    private Map<String, String> env(ChaosWorld world, String name, String url, Path hosting) {
        Map<String, String> env = world.env(name, url);
        env.remove("FONDATION_WORKER_SECRET");
        env.put("GIT_BASE_URL", hosting.toUri().toString());
        return env;
    }

    private Path hosting() {
        Path origin = TestRepositories.sample(temp.resolve("origin"));
        return TestRepositories.hosting(origin, temp.resolve("hosting"), FULL_NAME);
    }

    private static String status(ConvexClient client, String jobId) {
        return client.query("jobs:getJob", Map.of("jobId", jobId))
                .path("status")
                .asText();
    }

    /** Issue 19, test 1: pickup by push from the real getMetrics, the idle cost, a burst after idling. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void anIdleWorkerIsWokenByTheRealMetricsPushCostsNoIdleCallsAndTakesABurst() throws Exception {
        Path hosting = hosting();
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, FULL_NAME, "trunk");
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, LEGACY);
                ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build()) {
            Map<String, String> env = env(world, "compat", LEGACY.url(), hosting);
            // The production pacing: a 5 s poll, the 5 min safety poll; only push can make pickup fast.
            env.put("POLL_INTERVAL", "5000");
            env.remove("LEASE_TIME");
            env.remove("HEARTBEAT_INTERVAL");
            WorkerProcess worker = world.start("compat", env);
            worker.awaitOutput("the queue pushes news of work", Duration.ofSeconds(60));
            assertThat(worker.output()).doesNotContain("answered without byStatus");

            Random gaps = new Random(19);
            List<Long> pickups = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                // why: the workload's gap between two submissions (0.5-3 s, seeded), as the web app's users make
                // them; the worker is idle by then (its claim after the previous job found nothing)
                Thread.sleep(500 + gaps.nextInt(2500));
                Pickup pickup = Pickup.create(webApp, web, "");
                pickups.add(pickup.awaitClaimedMillis());
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> status(webApp, pickup.jobId).equals("completed"));
            }
            List<Long> sorted = new ArrayList<>(pickups);
            Collections.sort(sorted);
            long p50 = sorted.get(sorted.size() / 2);
            System.out.printf(
                    Locale.ROOT, "compat push pickup (jobs:create -> claimed), ms: %s; p50 %d ms%n", pickups, p50);
            assertThat(p50).as("pickup p50 by push").isLessThanOrEqualTo(1_000);

            // The deployment re-runs the subscribed getMetrics after the last job's final write: that run is the
            // last job's cost, so the count starts once it was pushed.
            awaitPushedQuiet(webApp, pickups.size());
            // why: the worker's own subscription may hear that final write after the test's observer did (later on
            // a loaded machine) and claim once on it, which is still the last job's cost: the idle window starts
            // once 5 s went by without a call (bounded)
            LEGACY.calls(true);
            await().atMost(Duration.ofSeconds(60))
                    .pollDelay(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofSeconds(5))
                    .until(() -> functionCalls(LEGACY.calls(true)) == 0);
            long idleStart = System.nanoTime();
            // why: the idle period being measured (nothing is submitted): what the worker calls on its own
            Thread.sleep(30_000);
            JsonNode counted = LEGACY.calls(false);
            double minutes = (System.nanoTime() - idleStart) / 6e10;
            long calls = functionCalls(counted);
            System.out.printf(
                    Locale.ROOT,
                    "compat idle: %d function calls in %.2f min (%.2f a minute); test server: %s%n",
                    calls,
                    minutes,
                    calls / minutes,
                    counted);
            assertThat(calls / minutes).as("idle calls a minute").isLessThanOrEqualTo(1.0);

            long burstStart = System.nanoTime();
            List<String> burst = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                burst.add(web.createJobLikeTheWebApp(webApp, ""));
            }
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() ->
                            burst.stream().allMatch(id -> status(webApp, id).equals("completed")));
            System.out.printf(
                    Locale.ROOT,
                    "compat burst: 5 jobs created at once after 30 idle seconds, all completed in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStart));
            assertThat(worker.output()).doesNotContain(" ERROR ").doesNotContain("byStatus");
        }
    }

    /**
     * Waits (bounded) until {@code queue:getMetrics} pushes a state with {@code completed} jobs and none pending or
     * claimed: the subscribed query has run after the last write (identical subscriptions share one run).
     */
    /** The function calls the test server counted over HTTP and WebSocket ({@code /_test/calls}). */
    private static long functionCalls(JsonNode counted) {
        long calls = 0;
        for (String origin : List.of("http", "sync")) {
            for (JsonNode count : counted.path("calls").path(origin)) {
                calls += count.asLong();
            }
        }
        return calls;
    }

    static void awaitPushedQuiet(ConvexClient client, int completed) throws InterruptedException {
        CountDownLatch quiet = new CountDownLatch(1);
        try (ConvexSubscription observer = client.subscribe("queue:getMetrics", Map.of(), value -> {
            JsonNode counts = value.path("counts");
            if (counts.path("completed").asInt() >= completed
                    && counts.path("pending").asInt() == 0
                    && counts.path("processing").asInt() == 0) {
                quiet.countDown();
            }
        })) {
            assertThat(quiet.await(30, TimeUnit.SECONDS))
                    .as("the queue pushed as quiet")
                    .isTrue();
        }
    }

    /** Issue 19, test 2: kill -9 mid-job with CONVEX_DEPLOY_KEY, production lease and heartbeat. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aKilledWorkersJobIsCompletedByAnotherWithinNinetySecondsAndEveryoneSaysTheReclaimSpentAnAttempt()
            throws Exception {
        Path hosting = hosting();
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, FULL_NAME, "trunk");
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, LEGACY);
                ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build()) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String jobId = web.createJobLikeTheWebApp(webApp, "stubborn " + pidFile);
            Map<String, String> crashingEnv = production(env(world, "crashing", LEGACY.url(), hosting));
            WorkerProcess crashing = world.start("crashing", crashingEnv);
            ChaosWorld.awaitPid(pidFile);
            Map<String, String> rescuerEnv = production(env(world, "rescuer", LEGACY.url(), hosting));
            rescuerEnv.put("HTTP_API", "true");
            WorkerProcess rescuer = world.start("rescuer", rescuerEnv);
            rescuer.awaitOutput("the queue pushes news of work", Duration.ofSeconds(60));

            long killedAt = System.nanoTime();
            crashing.kill9();
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> status(webApp, jobId).equals("completed"));
            long rescueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.printf(
                    Locale.ROOT,
                    "compat kill -9: job completed by the second worker %d ms after kill -9 (LEASE_TIME 60 s,"
                            + " CONVEX_DEPLOY_KEY)%n",
                    rescueMillis);

            JsonNode row = webApp.query("jobs:getJob", Map.of("jobId", jobId));
            assertThat(row.get("attempts").asInt())
                    .as("the attempt queue:reclaimExpired spent (complete counts none)")
                    .isEqualTo(1);
            assertThat(row.get("lastError").asText()).isEqualTo(LEASE_EXPIRED);
            rescuer.awaitOutput("completed in attempt 2/5", Duration.ofSeconds(10));
            assertThat(rescuer.output())
                    .contains("1 job whose lease ended went back to pending through queue:reclaimExpired, which"
                            + " spends one attempt on each (lastError '" + LEASE_EXPIRED + "')")
                    .contains("job " + jobId + ": claimed (")
                    .containsOnlyOnce("completed in attempt 2/5")
                    .doesNotContain("without spending an attempt");

            // The status command and the page say what the row says.
            Map<String, String> statusEnv = env(world, "status", LEGACY.url(), hosting);
            WorkerProcess status = world.start("status-cli", statusEnv, "status", jobId);
            assertThat(status.awaitExit(Duration.ofSeconds(60)))
                    .as(status.output())
                    .isZero();
            assertThat(status.output()).contains("1/5").contains(LEASE_EXPIRED);
            JsonNode page = JSON.readTree(HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + rescuer.healthPort() + "/api/jobs/" + jobId))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(page.path("attempts").asInt()).isEqualTo(1);
            assertThat(page.path("error").asText()).isEqualTo(LEASE_EXPIRED);
        }
    }

    /** The production lease and heartbeat, and the deploy key that lets a worker run queue:reclaimExpired. */
    private static Map<String, String> production(Map<String, String> env) {
        env.remove("LEASE_TIME");
        env.remove("HEARTBEAT_INTERVAL");
        env.put("POLL_INTERVAL", "5000");
        env.put("CONVEX_DEPLOY_KEY", LocalConvexServer.ADMIN_KEY);
        return env;
    }

    /**
     * Issue 19, test 3: a worker whose {@code queue:complete} never gets through (a proxy fails it; the worker is
     * then killed), after its {@code docs:upsertFromJob} did. Also: that worker reaches the deployment without
     * WebSocket, so its socket is refused: one line, and its first claim goes out at once.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aWorkerThatCannotMakeTheSecondFinishingWriteLeavesACourseThatTheNextClaimHeals() throws Exception {
        Path hosting = hosting();
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, FULL_NAME, "trunk");
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, LEGACY);
                ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                FunctionFaultProxy proxy = FunctionFaultProxy.to(LEGACY.url())) {
            String previous = web.createJobLikeTheWebApp(webApp, "");
            WorkerProcess first = world.start("first", env(world, "first", LEGACY.url(), hosting));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> status(webApp, previous).equals("completed"));
            first.terminate();
            assertThat(first.awaitExit(Duration.ofSeconds(30))).isZero();
            int course = webApp.query("docs:listByRepository", Map.of("repositoryId", web.repositoryId()))
                    .size();
            assertThat(course).isEqualTo(TestAnalyzer.EXPECTED_SLUGS.size());

            String jobId = web.createJobLikeTheWebApp(webApp, "");
            try (CourseWatcher watcher = CourseWatcher.start(webApp, web.repositoryId())
                    .watchJob(previous)
                    .watchJob(jobId)) {
                proxy.failAlways("queue:complete", FunctionFaultProxy.When.BEFORE);
                WorkerProcess cut = world.start("cut", env(world, "cut", proxy.url(), hosting));
                cut.awaitOutput("the queue stayed unreachable for complete", Duration.ofSeconds(60));
                cut.kill9();
                assertThat(webApp.query("docs:listByJobId", Map.of("jobId", jobId)))
                        .as("the documents went first")
                        .hasSize(course);
                assertThat(status(webApp, jobId)).isNotEqualTo("completed");

                // No WebSocket through the proxy: one line about it, and the first claim did not wait for it.
                assertThat(cut.output()).containsOnlyOnce("Convex sync: cannot open the sync socket");
                assertThat(cut.output()).doesNotContain("reconnecting in");
                Duration startToClaim = Duration.between(
                        logTime(cut.output(), "Worker cut started"),
                        logTime(cut.output(), "job " + jobId + ": claimed"));
                System.out.printf(Locale.ROOT, "compat without WebSocket: start -> first claim %s%n", startToClaim);
                assertThat(startToClaim).isLessThan(Duration.ofSeconds(2));

                Map<String, String> healerEnv = env(world, "healer", LEGACY.url(), hosting);
                healerEnv.put("CONVEX_DEPLOY_KEY", LocalConvexServer.ADMIN_KEY);
                WorkerProcess healer = world.start("healer", healerEnv);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> status(webApp, jobId).equals("completed"));
                long healedAt = System.nanoTime();
                healer.awaitOutput("completed now without running the analysis again", Duration.ofSeconds(10));
                assertThat(healer.output()).doesNotContain("job " + jobId + ": claimed");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !watcher.samplesAfter(healedAt).isEmpty());
                watcher.close();

                List<CourseWatcher.Sample> samples = watcher.samples();
                assertThat(samples)
                        .as("the job never completed without its documents")
                        .noneMatch(s -> s.completedWithoutItsDocuments(jobId));
                assertThat(samples)
                        .as("empty only while the job was held, before its next claim healed it")
                        .filteredOn(s -> s.documents() == 0)
                        .allSatisfy(s -> {
                            assertThat(s.latestCompleted()).isEqualTo(previous);
                            assertThat(s.atNanos() - healedAt).isNegative();
                        });
                assertThat(watcher.samplesAfter(healedAt))
                        .allSatisfy(s -> assertThat(s.documents()).isEqualTo(course));
                assertThat(webApp.query("docs:listByRepository", Map.of("repositoryId", web.repositoryId())))
                        .hasSize(course)
                        .allSatisfy(d -> assertThat(d.get("jobId").asText()).isEqualTo(jobId));
            }
        }
    }

    private static final Pattern LOG_TIME = Pattern.compile("^(\\S+) ");

    /** The time stamp of the first log line containing {@code text}. */
    private static OffsetDateTime logTime(String output, String text) {
        for (String line : output.split("\n")) {
            if (line.contains(text)) {
                Matcher matcher = LOG_TIME.matcher(line);
                if (matcher.find()) {
                    return OffsetDateTime.parse(matcher.group(1));
                }
            }
        }
        throw new AssertionError("no log line with '" + text + "' in:\n" + output);
    }

    /** A job created like the web app does, and the moment its subscription first shows it claimed. */
    private static final class Pickup {
        final String jobId;
        final long createdNanos;
        final AtomicLong claimedNanos = new AtomicLong();
        final CountDownLatch claimed = new CountDownLatch(1);
        final ConvexSubscription subscription;

        private Pickup(String jobId, long createdNanos, ConvexClient client) {
            this.jobId = jobId;
            this.createdNanos = createdNanos;
            this.subscription = client.subscribe("jobs:getJob", Map.of("jobId", jobId), value -> {
                if (!"pending".equals(value.path("status").asText())
                        && claimedNanos.compareAndSet(0, System.nanoTime())) {
                    claimed.countDown();
                }
            });
        }

        static Pickup create(ConvexClient client, WebAppFixtures web, String prompt) {
            long created = System.nanoTime();
            return new Pickup(web.createJobLikeTheWebApp(client, prompt), created, client);
        }

        long awaitClaimedMillis() throws InterruptedException {
            try (subscription) {
                assertThat(claimed.await(30, TimeUnit.SECONDS))
                        .as("job " + jobId + " claimed")
                        .isTrue();
                return TimeUnit.NANOSECONDS.toMillis(claimedNanos.get() - createdNanos);
            }
        }
    }
}
