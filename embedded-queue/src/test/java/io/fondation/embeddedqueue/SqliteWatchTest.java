package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobSpec;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded queue pushes news of work and cancellations, to this process and from other ones. */
class SqliteWatchTest {

    private static final Duration LEASE = Duration.ofMinutes(1);

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private SqliteJobQueue queue;
    private SqliteJobQueue otherProcess;
    private final Semaphore pushes = new Semaphore(0);

    @BeforeEach
    void open() {
        queue = SqliteJobQueue.open(temp.resolve("queue.db"), clock);
        // A second connection to the file behaves like another process: SQLite tells changes apart by connection.
        otherProcess = SqliteJobQueue.open(temp.resolve("queue.db"), clock);
    }

    @AfterEach
    void close() {
        queue.close();
        otherProcess.close();
    }

    private static JobSpec spec(String name) {
        return JobSpec.of(CloneSource.ofFullName("acme/" + name, null), "");
    }

    private void awaitPush() throws InterruptedException {
        assertThat(pushes.tryAcquire(5, TimeUnit.SECONDS)).as("a push arrived").isTrue();
        pushes.drainPermits();
    }

    @Test
    void anEnqueueInThisProcessIsPushedAtOnce() throws InterruptedException {
        try (QueueWatch watch = queue.watchWork(pushes::release)) {
            assertThat(watch.isLive()).isTrue();
            long started = System.nanoTime();

            queue.enqueue(spec("widgets"));

            awaitPush();
            System.out.printf("embedded push, same process: %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Test
    void anEnqueueByAnotherProcessIsNoticedWithinATick() throws InterruptedException {
        try (QueueWatch watch = queue.watchWork(pushes::release)) {
            long started = System.nanoTime();

            otherProcess.enqueue(spec("widgets"));

            awaitPush();
            System.out.printf("embedded push, other process: %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Test
    void aRetryComingDueIsPushedWhenItsTimeComes() throws InterruptedException {
        queue.enqueue(spec("widgets"));
        ClaimedJob job = queue.claimOne("w1", LEASE).orElseThrow();
        RetryDecision.Retrying retrying = (RetryDecision.Retrying)
                queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.TRANSIENT, "network down"));
        try (QueueWatch watch = queue.watchWork(pushes::release)) {
            awaitPush(); // the first look always tells
            assertThat(pushes.tryAcquire(300, TimeUnit.MILLISECONDS))
                    .as("nothing new before the retry is due")
                    .isFalse();

            clock.set(retrying.nextRunAt());

            awaitPush();
            assertThat(queue.claimOne("w1", LEASE)).isPresent();
        }
    }

    @Test
    void aCancellationByAnotherProcessStopsTheHolderWithinATick() throws InterruptedException {
        String id = queue.enqueue(spec("widgets"));
        ClaimedJob job = queue.claimOne("w1", LEASE).orElseThrow();
        Semaphore canceled = new Semaphore(0);
        try (QueueWatch watch = queue.watchCancellation(job.lease(), canceled::release)) {
            long started = System.nanoTime();

            assertThat(otherProcess.cancel(id)).isTrue();

            assertThat(canceled.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            System.out.printf(
                    "embedded cancellation push, other process: %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(canceled.tryAcquire(300, TimeUnit.MILLISECONDS))
                    .as("told once")
                    .isFalse();
        }
    }

    @Test
    void aClosedWatchIsNotLiveAndHearsNothing() throws InterruptedException {
        QueueWatch watch = queue.watchWork(pushes::release);
        watch.close();
        pushes.drainPermits();

        queue.enqueue(spec("widgets"));

        assertThat(watch.isLive()).isFalse();
        assertThat(pushes.tryAcquire(300, TimeUnit.MILLISECONDS)).isFalse();
    }
}
