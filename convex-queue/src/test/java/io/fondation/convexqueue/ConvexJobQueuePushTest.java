package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import io.fondation.shared.QueueWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pushed pickup and cancellation ({@link ConvexJobQueue#watchWork}, {@link ConvexJobQueue#watchCancellation}) over
 * the sync socket, against the real hardened functions in the test server. Bounded waits only.
 */
class ConvexJobQueuePushTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration LEASE = Duration.ofMinutes(5);

    /** Counts wake-ups and lets a test wait for the next ones. */
    static final class Wakes implements Runnable {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void run() {
            count.incrementAndGet();
        }

        void awaitAtLeast(int n) {
            await().atMost(WAIT).until(() -> count.get() >= n);
        }
    }

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

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

    private JobSpec job(Instant runAt) {
        return new JobSpec(CloneSource.ofUrl("https://example.test/repo.git", null), "p", 3, runAt, null);
    }

    @Test
    void aNewJobIsPushedAndClaimed() {
        ConvexJobQueue queue = queue();
        Wakes wakes = new Wakes();
        QueueWatch watch = queue.watchWork(wakes);
        assertThat(watch.isLive()).as("live on return").isTrue();
        assertThat(wakes.count).hasValue(0);

        String id = queue.enqueue(job(null));
        wakes.awaitAtLeast(1);
        assertThat(queue.claimOne("w-1", LEASE)).map(ClaimedJob::id).contains(id);
        watch.close();
        assertThat(watch.isLive()).isFalse();
    }

    @Test
    void aJobDueLaterWakesTheWorkerWhenItsRunAtArrives() {
        ConvexJobQueue queue = queue();
        Wakes wakes = new Wakes();
        queue.watchWork(wakes);
        Instant runAt = Instant.now().plusMillis(700);
        queue.enqueue(job(runAt));
        // Pushed at once, but not due: no wake-up until runAt (no write happens then: the queue's own timer).
        wakes.awaitAtLeast(1);
        assertThat(Instant.now()).isAfterOrEqualTo(runAt);
        assertThat(queue.claimOne("w-1", LEASE)).isPresent();
    }

    @Test
    void anExpiredLeaseWakesTheWorkerSoItsJobIsTakenOver() {
        ConvexJobQueue queue = queue();
        queue.enqueue(job(null));
        Optional<ClaimedJob> crashed = queue.claimOne("w-crashed", Duration.ofSeconds(1));
        assertThat(crashed).isPresent();
        Wakes wakes = new Wakes();
        queue.watchWork(wakes);
        wakes.awaitAtLeast(1);
        assertThat(queue.claimOne("w-2", LEASE))
                .map(ClaimedJob::id)
                .contains(crashed.get().id());
    }

    @Test
    void cancellationIsPushedToTheHolder() throws Exception {
        ConvexJobQueue queue = queue();
        String id = queue.enqueue(job(null));
        ClaimedJob claimed = queue.claimOne("w-1", LEASE).orElseThrow();
        CountDownLatch canceled = new CountDownLatch(1);
        QueueWatch watch = queue.watchCancellation(claimed.lease(), canceled::countDown);
        await().atMost(WAIT).until(watch::isLive);
        assertThat(canceled.getCount()).isEqualTo(1);

        assertThat(queue.cancel(id)).isTrue();
        assertThat(canceled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void workersThatLoseRacesWaitLongerSoOneJobCostsFewClaims() throws Exception {
        int workers = 5;
        int jobs = 8;
        List<ConvexJobQueue> queues = new ArrayList<>();
        AtomicInteger claims = new AtomicInteger();
        AtomicInteger claimed = new AtomicInteger();
        java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        closing.add(pool::shutdownNow);
        for (int i = 0; i < workers; i++) {
            ConvexJobQueue queue = queue();
            queues.add(queue);
            String worker = "w-" + i;
            queue.watchWork(() -> pool.execute(() -> {
                claims.incrementAndGet();
                queue.claimOne(worker, LEASE).ifPresent(job -> {
                    assertThat(ids.add(job.id()))
                            .as("claimed once: " + job.id())
                            .isTrue();
                    claimed.incrementAndGet();
                });
            }));
        }
        for (int j = 0; j < jobs; j++) {
            int before = claimed.get();
            queues.get(0).enqueue(job(null));
            await().atMost(WAIT).until(() -> claimed.get() > before);
        }
        assertThat(ids).hasSize(jobs);
        // Without pacing every job costs one claim per worker (40); with it, little more than one per job.
        assertThat(claims.get()).isLessThan(workers * jobs);
    }
}
