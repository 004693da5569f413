package io.fondation.worker.runtime;

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
    private final HealthTracker health;
    private final WorkerMetrics metrics;

    QueueWriter(
            String jobId,
            Duration retryDelay,
            BooleanSupplier leaseDeadlinePassed,
            HealthTracker health,
            WorkerMetrics metrics) {
        this.jobId = jobId;
        this.retryDelay = retryDelay;
        this.leaseDeadlinePassed = leaseDeadlinePassed;
        this.health = health;
        this.metrics = metrics;
    }

    /** A writer whose lease deadline is read from {@code deadline} with {@code clock}. */
    static QueueWriter forLease(
            String jobId,
            Duration retryDelay,
            LeaseDeadline deadline,
            Clock clock,
            HealthTracker health,
            WorkerMetrics metrics) {
        return new QueueWriter(jobId, retryDelay, () -> deadline.passed(clock.instant()), health, metrics);
    }

    /** Makes the write, trying again after a transient failure while tries and the lease last. */
    <T> WriteResult<T> write(String name, Supplier<T> call) {
        JobQueueException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            try {
                return new WriteResult.Written<>(call.get());
            } catch (JobQueueException e) {
                if (!e.isTransient()) {
                    return new WriteResult.Refused<>(e);
                }
                last = e;
                metrics.queueError();
                health.queueError(name + " failed: " + e.getMessage());
                if (attempt == MAX_TRIES || leaseDeadlinePassed.getAsBoolean()) {
                    break;
                }
                LOG.warn(
                        "job {}: {} failed (try {}/{}), trying again in {} ms: {}",
                        jobId,
                        name,
                        attempt,
                        MAX_TRIES,
                        retryDelay.multipliedBy(attempt).toMillis(),
                        e.getMessage());
                if (!pause(retryDelay.multipliedBy(attempt))) {
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
