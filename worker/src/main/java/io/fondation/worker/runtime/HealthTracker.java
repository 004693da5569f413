package io.fondation.worker.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Records what the poll loop and heartbeats learn about the queue and turns it into a
 * {@link WorkerHealth}. Idle time never counts against health: a worker that polls an empty queue for
 * hours is healthy (the existing worker said "degraded" after ten idle minutes).
 */
final class HealthTracker {

    private final Clock clock;
    private final String workerId;
    private final int maxConcurrentJobs;
    private final Duration errorWindow;

    private volatile Instant startedAt;
    private volatile Instant lastPollAt;
    private volatile Instant lastClaimAt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile int consecutivePollFailures;

    /**
     * @param errorWindow how long a queue error keeps the worker degraded after it happened
     */
    HealthTracker(Clock clock, String workerId, int maxConcurrentJobs, Duration errorWindow) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.workerId = Objects.requireNonNull(workerId, "workerId");
        this.maxConcurrentJobs = maxConcurrentJobs;
        this.errorWindow = Objects.requireNonNull(errorWindow, "errorWindow");
    }

    /** How long errors count: three poll intervals, at least a minute. */
    static Duration errorWindowFor(Duration pollInterval) {
        Duration three = pollInterval.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) > 0 ? three : Duration.ofMinutes(1);
    }

    void started() {
        startedAt = clock.instant();
    }

    void pollSucceeded(boolean claimed) {
        Instant now = clock.instant();
        lastPollAt = now;
        consecutivePollFailures = 0;
        if (claimed) {
            lastClaimAt = now;
        }
    }

    void pollFailed(String error) {
        consecutivePollFailures++;
        queueError(error);
    }

    void queueError(String error) {
        lastError = error;
        lastErrorAt = clock.instant();
    }

    WorkerHealth snapshot(String state, boolean pollLoopRunning, IntSupplier activeJobs) {
        Instant now = clock.instant();
        HealthStatus status;
        Instant errorAt = lastErrorAt;
        if (!pollLoopRunning) {
            status = HealthStatus.UNHEALTHY;
        } else if (consecutivePollFailures > 0
                || (errorAt != null && Duration.between(errorAt, now).compareTo(errorWindow) < 0)) {
            status = HealthStatus.DEGRADED;
        } else {
            status = HealthStatus.HEALTHY;
        }
        Instant started = startedAt;
        Duration uptime = started == null ? Duration.ZERO : Duration.between(started, now);
        return new WorkerHealth(
                status,
                workerId,
                state,
                started,
                uptime.isNegative() ? Duration.ZERO : uptime,
                activeJobs.getAsInt(),
                maxConcurrentJobs,
                lastPollAt,
                lastClaimAt,
                lastError,
                errorAt,
                consecutivePollFailures);
    }
}
