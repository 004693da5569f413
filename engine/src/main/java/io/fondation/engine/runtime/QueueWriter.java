package io.fondation.engine.runtime;

import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.Backoff;
import io.fondation.shared.JobQueueException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final writes of an attempt ({@code complete}, {@code retryOrFail}, {@code release}), tried again while the
 * queue is unreachable and the lease still holds: after the lease deadline another worker may own the job and
 * the fenced write would be refused anyway.
 */
final class QueueWriter {

    /** The most tries of one write. */
    static final int MAX_TRIES = 3;

    private static final Logger LOG = LoggerFactory.getLogger(QueueWriter.class);

    private final String jobId;
    private final Duration retryDelay;
    private final BooleanSupplier leaseDeadlinePassed;
    private final EventSink events;

    QueueWriter(String jobId, Duration retryDelay, BooleanSupplier leaseDeadlinePassed, EventSink events) {
        this.jobId = jobId;
        this.retryDelay = retryDelay;
        this.leaseDeadlinePassed = leaseDeadlinePassed;
        this.events = events;
    }

    /** A writer whose lease deadline is read from {@code deadline} with {@code clock}. */
    static QueueWriter forLease(
            String jobId, Duration retryDelay, LeaseDeadline deadline, Clock clock, EventSink events) {
        return new QueueWriter(jobId, retryDelay, () -> deadline.passed(clock.instant()), events);
    }

    /** Makes the write, trying again after a transient failure while tries and the lease last. */
    <T> WriteResult<T> write(String name, Supplier<T> call) {
        // why: retryDelay (a third of HEARTBEAT_INTERVAL, at most 5 s), then twice that: the third try is the last
        Backoff.Sequence waits = Backoff.doubling(retryDelay, retryDelay.multipliedBy(MAX_TRIES - 1))
                .sequence();
        JobQueueException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return new WriteResult.Written<>(call.get());
            } catch (JobQueueException e) {
                if (!e.isTransient()) {
                    return new WriteResult.Refused<>(e);
                }
                last = e;
                events.publish(new WorkerEvent.WriteFailed(jobId, name, e.getMessage()));
                if (attempt == MAX_TRIES || leaseDeadlinePassed.getAsBoolean()) {
                    break;
                }
                Duration wait = waits.next();
                LOG.warn(
                        "job {}: {} failed (try {}/{}), trying again in {} ms: {}",
                        jobId,
                        name,
                        attempt,
                        MAX_TRIES,
                        wait.toMillis(),
                        e.getMessage());
                if (!pause(wait)) {
                    break;
                }
            }
        }
        return new WriteResult.Unreachable<>(last);
    }

    /** @return false when interrupted (the worker is being stopped hard) */
    private static boolean pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
