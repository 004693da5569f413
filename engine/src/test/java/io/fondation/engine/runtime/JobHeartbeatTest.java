package io.fondation.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.health.HealthStatus;
import io.fondation.engine.health.HealthTracker;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.contract.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats against the real embedded queue with a settable clock: what the queue's answer decides (cancellation,
 * lease lost, the deadline) one heartbeat at a time ({@link JobHeartbeat#beatNow()}, no timer), and the pacing
 * (periodic renewal, throttling, retries) on a real scheduler.
 */
class JobHeartbeatTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final FaultyQueue queue = new FaultyQueue(SqliteJobQueue.inMemory(clock));
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2);
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final HealthTracker health =
            new HealthTracker(clock, "w1", 1, Duration.ofMinutes(1), Duration.ofSeconds(15));
    private final List<StopReason> outcomes = new CopyOnWriteArrayList<>();
    private JobHeartbeat heartbeat;

    @AfterEach
    void stop() {
        if (heartbeat != null) {
            heartbeat.stop();
        }
        scheduler.shutdownNow();
        queue.close();
    }

    private ClaimedJob claim() {
        queue.enqueue(JobSpec.of(CloneSource.ofUrl("/tmp/repo", null), ""));
        return queue.claimOne("w1", LEASE).orElseThrow();
    }

    private JobHeartbeat heartbeat(ClaimedJob job, Duration interval, Duration throttle) {
        return heartbeat(job, interval, throttle, scheduler);
    }

    /** Heartbeats on {@code on}: the real scheduler, or one that runs nothing ({@link JobHeartbeat#beatNow()} only). */
    private JobHeartbeat heartbeat(
            ClaimedJob job, Duration interval, Duration throttle, ScheduledThreadPoolExecutor on) {
        Heartbeats shared = new Heartbeats(
                on,
                HeartbeatTiming.forInterval(interval, throttle),
                clock,
                System::nanoTime,
                new EventChannel(List.of(metrics, health)));
        heartbeat =
                new JobHeartbeat(shared, queue, job.lease(), new LeaseDeadline(clock.instant(), LEASE), outcomes::add);
        heartbeat.start();
        return heartbeat;
    }

    @Test
    void periodicHeartbeatsRenewTheLease() {
        ClaimedJob job = claim();
        Instant firstExpiry = job.lease().expiresAt();
        heartbeat(job, Duration.ofMillis(100), Duration.ZERO);

        clock.advance(Duration.ofMinutes(1));
        // why: the row is renewed inside queue.heartbeat, the heartbeat's own lease just after it returns (on the
        // heartbeat thread): wait for both, or the second read races the first
        await().atMost(WAIT)
                .until(() -> queue.get(job.id())
                                .orElseThrow()
                                .leaseUntil()
                                .equals(clock.instant().plus(LEASE))
                        && heartbeat.lease().expiresAt().isAfter(firstExpiry));

        assertThat(queue.get(job.id()).orElseThrow().leaseUntil()).isAfter(firstExpiry);
        assertThat(heartbeat.lease().expiresAt()).isAfter(firstExpiry);
        assertThat(outcomes).isEmpty();
        assertThat(metrics.snapshot().get("heartbeats_total").longValue()).isPositive();
    }

    @Test
    void progressIsSentAtOnceThenMergedWithinTheThrottle() {
        ClaimedJob job = claim();
        JobHeartbeat beat = heartbeat(job, Duration.ofMinutes(10), Duration.ofMillis(400));

        beat.update(JobStatus.ANALYZING, new Progress(1, 6, "one"));
        await().atMost(WAIT).until(() -> queue.beats.size() == 1);
        for (int step = 2; step <= 6; step++) {
            beat.update(null, new Progress(step, 6, "step " + step));
        }

        // The first change went out at once; the five that followed within the throttle are merged into
        // one heartbeat sent when the throttle allows, with the latest values; then nothing more.
        await().atMost(WAIT).until(() -> queue.beats.size() == 2);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> queue.beats.size() == 2);
        FaultyQueue.Beat first = queue.beats.get(0);
        FaultyQueue.Beat second = queue.beats.get(1);
        assertThat(first.phase()).isEqualTo(JobStatus.ANALYZING);
        assertThat(first.progress()).isEqualTo(new Progress(1, 6, "one"));
        assertThat(second.progress()).isEqualTo(new Progress(6, 6, "step 6"));
        assertThat(Duration.ofNanos(second.nanos() - first.nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(350));
        assertThat(queue.get(job.id()).orElseThrow().progress()).isEqualTo(new Progress(6, 6, "step 6"));
        assertThat(queue.get(job.id()).orElseThrow().status()).isEqualTo(JobStatus.ANALYZING);
    }

    @Test
    void aCancelRequestIsReportedOnceAndEndsTheHeartbeats() {
        ClaimedJob job = claim();
        JobHeartbeat beat = heartbeat(job, Duration.ofMillis(100), Duration.ZERO, new HeldTasksScheduler());

        queue.cancel(job.id());

        assertThat(beat.beatNow()).as("heartbeats ended").isFalse();
        assertThat(outcomes).contains(StopReason.CANCEL_REQUESTED);
        int calls = queue.heartbeatCalls.get();
        assertThat(beat.beatNow()).isFalse();
        assertThat(queue.heartbeatCalls.get()).as("no heartbeat after the end").isEqualTo(calls);
        assertThat(outcomes).containsExactly(StopReason.CANCEL_REQUESTED);
    }

    @Test
    void aLeaseTakenByAnotherWorkerIsReportedAsLost() {
        ClaimedJob job = claim();
        JobHeartbeat beat = heartbeat(job, Duration.ofMillis(100), Duration.ZERO, new HeldTasksScheduler());

        queue.release(job.lease());
        queue.claimOne("w2", LEASE).orElseThrow();

        assertThat(beat.beatNow()).isFalse();
        assertThat(outcomes).contains(StopReason.LEASE_LOST);
        assertThat(outcomes).containsExactly(StopReason.LEASE_LOST);
        assertThat(queue.get(job.id()).orElseThrow().lockedBy()).isEqualTo("w2");
    }

    @Test
    void failedHeartbeatsAreRetriedAndTheJobGoesOnWhenTheQueueComesBack() {
        ClaimedJob job = claim();
        queue.heartbeatsFail = true;
        heartbeat(job, Duration.ofMillis(300), Duration.ZERO);

        // Retries come every 100 ms (a third of the interval), not every interval.
        await().atMost(WAIT).until(() -> queue.heartbeatCalls.get() >= 5);
        assertThat(health.snapshot("running", true, () -> 1, java.util.Optional.empty(), false)
                        .status())
                .isEqualTo(HealthStatus.DEGRADED);

        queue.heartbeatsFail = false;
        clock.advance(Duration.ofMinutes(1));
        await().atMost(WAIT)
                .until(() -> queue.get(job.id())
                        .orElseThrow()
                        .leaseUntil()
                        .equals(clock.instant().plus(LEASE)));
        assertThat(outcomes).isEmpty();
        assertThat(metrics.snapshot().get("heartbeat_failures_total").longValue())
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void withoutARenewalBeforeTheDeadlineTheJobIsToldToStop() {
        ClaimedJob job = claim();
        queue.heartbeatsFail = true;
        JobHeartbeat beat = heartbeat(job, Duration.ofMillis(200), Duration.ZERO, new HeldTasksScheduler());

        clock.advance(LEASE.minus(LeaseDeadline.marginFor(LEASE)).minusSeconds(1));
        assertThat(beat.beatNow())
                .as("a failed heartbeat before the deadline goes on")
                .isTrue();
        assertThat(outcomes).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        assertThat(beat.beatNow()).isFalse();
        assertThat(outcomes).contains(StopReason.LEASE_DEADLINE);
        assertThat(outcomes).containsExactly(StopReason.LEASE_DEADLINE);
    }
}
