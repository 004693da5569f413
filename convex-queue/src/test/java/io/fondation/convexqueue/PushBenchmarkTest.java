package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobSpec;
import io.fondation.shared.QueueWatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Prints what push pickup buys on loopback against the test server (the real functions under convex-test): pickup
 * latency (enqueue → claimed) through push and through 5 s polling, the function calls of an idle subscribed
 * worker, the herd (20 subscribed queues claiming on push), and the latency of a pushed cancellation. Not a timed
 * test: it asserts only correctness (no job claimed twice). Run with
 * {@code ./mvnw -Pbenchmarks -pl convex-queue -am verify}.
 */
@Tag("benchmark")
class PushBenchmarkTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final int PUSH_JOBS = 500;
    private static final int POLL_JOBS = 24;
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(5);
    private static final int HERD = 20;
    private static final int HERD_JOBS = 100;
    private static final int CANCELS = 50;
    private static final Duration IDLE = Duration.ofSeconds(45);
    private static final long WAIT_MS = 30_000;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private ConvexJobQueue queue() {
        ConvexJobQueue queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET),
                Clock.systemUTC());
        closing.add(queue);
        return queue;
    }

    private static JobSpec job() {
        return JobSpec.of(CloneSource.ofUrl("https://example.test/repo.git", null), "p");
    }

    /** Ends a claimed job at once, as a finished analysis would (queue:complete without documents). */
    private static void finish(ConvexJobQueue queue, JobLease lease) {
        queue.client()
                .mutation(
                        "queue:complete",
                        Map.of(
                                "jobId", lease.jobId(),
                                "workerId", lease.workerId(),
                                "leaseToken", lease.token(),
                                "workerSecret", LocalConvexServer.WORKER_SECRET));
    }

    /** A job claimed, and when. */
    private record Claim(String jobId, long atNanos) {}

    /**
     * A worker as the poll loop runs one: on a wake-up, claim; after a job, claim again at once; one job at a time.
     */
    private static final class Worker {
        final ConvexJobQueue queue;
        final String id;
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicInteger pushedClaims;
        final AtomicInteger followUpClaims;
        final Set<String> claimedIds;
        final java.util.concurrent.BlockingQueue<Claim> claims;

        Worker(
                ConvexJobQueue queue,
                String id,
                AtomicInteger pushedClaims,
                AtomicInteger followUpClaims,
                Set<String> claimedIds,
                java.util.concurrent.BlockingQueue<Claim> claims) {
            this.queue = queue;
            this.id = id;
            this.pushedClaims = pushedClaims;
            this.followUpClaims = followUpClaims;
            this.claimedIds = claimedIds;
            this.claims = claims;
        }

        /** Set by a wake-up, cleared when the worker looks: wake-ups while it works are one, like the Waiter's. */
        final AtomicBoolean woken = new AtomicBoolean();

        void wake() {
            if (!woken.compareAndSet(false, true)) {
                return;
            }
            thread.execute(() -> {
                woken.set(false);
                if (!busy.compareAndSet(false, true)) {
                    return;
                }
                try {
                    pushedClaims.incrementAndGet();
                    Optional<ClaimedJob> claimed = queue.claimOne(id, LEASE);
                    while (claimed.isPresent()) {
                        ClaimedJob job = claimed.get();
                        claims.add(new Claim(job.id(), System.nanoTime()));
                        if (!claimedIds.add(job.id())) {
                            throw new AssertionError("job " + job.id() + " was claimed twice");
                        }
                        finish(queue, job.lease());
                        followUpClaims.incrementAndGet();
                        claimed = queue.claimOne(id, LEASE);
                    }
                } finally {
                    busy.set(false);
                }
            });
        }
    }

    @Test
    void pickupLatencyThroughPushAndThroughPolling() throws Exception {
        ConvexJobQueue producer = queue();
        java.util.concurrent.BlockingQueue<Claim> claimedAt = new java.util.concurrent.LinkedBlockingQueue<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Worker worker = new Worker(queue(), "w-push", new AtomicInteger(), new AtomicInteger(), ids, claimedAt);
        closing.add(worker.thread::shutdownNow);
        QueueWatch watch = worker.queue.watchWork(worker::wake);
        assertThat(watch.isLive()).isTrue();
        // Warm-up: JIT, connections.
        measurePush(producer, claimedAt, 50);
        List<Double> push = measurePush(producer, claimedAt, PUSH_JOBS);
        report("Convex push, 1 subscribed worker, enqueue → claimed", push);
        watch.close();
        worker.queue.close();
        worker.thread.shutdownNow();
        assertThat(worker.thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        List<Double> polling = measurePolling(producer);
        report(
                "Convex polling every " + POLL_INTERVAL.toSeconds() + " s (the existing worker), enqueue → claimed",
                polling);
    }

    private List<Double> measurePush(
            ConvexJobQueue producer, java.util.concurrent.BlockingQueue<Claim> claimed, int jobs) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            long start = System.nanoTime();
            String id = producer.enqueue(job());
            Claim claim = claimed.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (claim == null || !claim.jobId().equals(id)) {
                throw new AssertionError(
                        "job " + id + " was not claimed within " + WAIT_MS + " ms (got " + claim + ")");
            }
            millis.add((claim.atNanos() - start) / 1e6);
        }
        return millis;
    }

    private List<Double> measurePolling(ConvexJobQueue producer) throws Exception {
        ConvexJobQueue poller = queue();
        Map<String, Long> claimedAt = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread loop = new Thread(() -> {
            while (running.get()) {
                try {
                    poller.claimOne("w-poll", LEASE).ifPresent(job -> {
                        claimedAt.put(job.id(), System.nanoTime());
                        finish(poller, job.lease());
                    });
                } catch (RuntimeException e) {
                    System.out.println("poll failed: " + e);
                }
                try {
                    Thread.sleep(POLL_INTERVAL.toMillis()); // the existing worker's fixed poll interval
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        loop.start();
        List<Double> millis = new ArrayList<>();
        try {
            for (int i = 0; i < POLL_JOBS; i++) {
                // Enqueue at a random phase of the poll cycle.
                Thread.sleep(ThreadLocalRandom.current().nextLong(POLL_INTERVAL.toMillis()));
                long start = System.nanoTime();
                String id = producer.enqueue(job());
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
                while (!claimedAt.containsKey(id) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(claimedAt).as("job %s: %s", id, producer.get(id)).containsKey(id);
                millis.add((claimedAt.get(id) - start) / 1e6);
            }
        } finally {
            running.set(false);
            loop.interrupt();
            loop.join(10_000);
        }
        return millis;
    }

    @Test
    void idleCostOfASubscribedWorker() throws Exception {
        ConvexJobQueue worker = queue();
        QueueWatch watch = worker.watchWork(() -> {});
        assertThat(watch.isLive()).isTrue();
        CONVEX.calls(true);
        long start = System.nanoTime();
        // Idle on purpose: nothing happens, and the server's pings (every 15 s) are all that crosses the socket.
        Thread.sleep(IDLE.toMillis());
        double hours = (System.nanoTime() - start) / 3.6e12;
        JsonNode counted = CONVEX.calls(false);
        long calls = sum(counted.path("calls"));
        long pings = counted.path("sync").path("messagesSent").path("Ping").asLong();
        assertThat(watch.isLive()).isTrue();
        System.out.printf(
                Locale.ROOT,
                "%nIdle subscribed worker over %d s: %d function calls (%.1f per hour; plus the worker's own safety"
                        + " poll, 3600 / safety interval per hour), %d pings received, still live%n",
                IDLE.toSeconds(),
                calls,
                calls / hours,
                pings);
    }

    private static long sum(JsonNode byOrigin) {
        long total = 0;
        for (JsonNode kinds : byOrigin) {
            for (JsonNode count : kinds) {
                total += count.asLong();
            }
        }
        return total;
    }

    @Test
    void herdOfTwentySubscribedWorkers() throws Exception {
        ConvexJobQueue producer = queue();
        AtomicInteger pushedClaims = new AtomicInteger();
        AtomicInteger followUpClaims = new AtomicInteger();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        java.util.concurrent.BlockingQueue<Claim> claimedAt = new java.util.concurrent.LinkedBlockingQueue<>();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < HERD; i++) {
            Worker worker = new Worker(queue(), "w-" + i, pushedClaims, followUpClaims, ids, claimedAt);
            closing.add(worker.thread::shutdownNow);
            assertThat(worker.queue.watchWork(worker::wake).isLive()).isTrue();
            workers.add(worker);
        }
        // Warm-up: the workers' pacing settles.
        measurePush(producer, claimedAt, 20);
        pushedClaims.set(0);
        followUpClaims.set(0);
        CONVEX.calls(true);
        List<Double> latencies = measurePush(producer, claimedAt, HERD_JOBS);
        // Let the last pushes and claims settle before counting (bounded).
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < settle && workers.stream().anyMatch(w -> w.busy.get())) {
            Thread.sleep(10);
        }
        JsonNode counted = CONVEX.calls(false);
        long serverClaims = counted.path("calls").path("http").path("mutation").asLong() - 2L * HERD_JOBS;
        System.out.printf(
                Locale.ROOT,
                "%nHerd: %d subscribed workers, %d jobs enqueued one at a time: %d claimed (each exactly once),"
                        + " claim calls per job %.2f (%.2f on a push, %.2f right after finishing a job, as the poll"
                        + " loop does; %d claimOne at the server), duplicates 0%n",
                HERD,
                HERD_JOBS,
                ids.size() - 20, // the warm-up's
                (pushedClaims.get() + followUpClaims.get()) / (double) HERD_JOBS,
                pushedClaims.get() / (double) HERD_JOBS,
                followUpClaims.get() / (double) HERD_JOBS,
                serverClaims);
        long mutations = counted.path("calls").path("http").path("mutation").asLong();
        System.out.printf(
                Locale.ROOT,
                "Test server cost of pushing to %d sockets: %d subscribed-query runs for %d mutations (%.2f per write,"
                        + " identical subscriptions run once), %d re-run rounds%n",
                HERD,
                counted.path("sync").path("queryRuns").asLong(),
                mutations,
                counted.path("sync").path("queryRuns").asLong() / (double) Math.max(1, mutations),
                counted.path("sync").path("reruns").asLong());
        report("Herd of " + HERD + ", enqueue → claimed", latencies);
        assertThat(ids).hasSize(HERD_JOBS + 20);
    }

    @Test
    void cancellationPushLatency() throws Exception {
        ConvexJobQueue queue = queue();
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < CANCELS + 5; i++) {
            String id = queue.enqueue(job());
            ClaimedJob claimed = queue.claimOne("w-cancel", LEASE).orElseThrow();
            CountDownLatch heard = new CountDownLatch(1);
            AtomicLong heardAt = new AtomicLong();
            QueueWatch watch = queue.watchCancellation(claimed.lease(), () -> {
                heardAt.set(System.nanoTime());
                heard.countDown();
            });
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (!watch.isLive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            long start = System.nanoTime();
            assertThat(queue.cancel(id)).isTrue();
            assertThat(heard.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
            if (i >= 5) {
                millis.add((heardAt.get() - start) / 1e6);
            }
            watch.close();
        }
        report("Cancellation, requestCancel → onCancelRequested (pushed)", millis);
    }

    private static void report(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "%n%s over %d jobs: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms%n",
                what,
                sorted.size(),
                percentile(sorted, 50),
                percentile(sorted, 90),
                percentile(sorted, 99),
                sorted.get(sorted.size() - 1),
                sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
