package io.fondation.engine.runtime;

import io.fondation.shared.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How heartbeats are paced.
 *
 * @param interval the period of heartbeats ({@code HEARTBEAT_INTERVAL})
 * @param throttle the least time between two heartbeats sent because progress changed
 * @param retryDelay the wait before retrying a heartbeat that failed
 * @param stopWait the longest {@link JobHeartbeat#stop()} waits for a heartbeat in flight
 */
record HeartbeatTiming(Duration interval, Duration throttle, Duration retryDelay, Duration stopWait) {

    static final Duration DEFAULT_THROTTLE = Duration.ofSeconds(2);
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);
    static final Duration DEFAULT_STOP_WAIT = Duration.ofSeconds(5);

    HeartbeatTiming {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(retryDelay, "retryDelay");
        Objects.requireNonNull(stopWait, "stopWait");
        if (interval.isZero() || interval.isNegative() || retryDelay.isZero() || retryDelay.isNegative()) {
            throw new IllegalArgumentException("heartbeat interval and retry delay must be positive");
        }
    }

    /**
     * The waits between retries of a failed heartbeat: {@code retryDelay} each time (multiplier 1, no jitter). Constant
     * on purpose: the lease runs out at a fixed time, so the retries must stay frequent up to its deadline, not spread
     * out as a claim's do.
     */
    Backoff retries() {
        return new Backoff(retryDelay, 1, retryDelay, Backoff.Jitter.NONE);
    }

    /** Defaults for a heartbeat interval: retry after a third of it, at most 5 s. */
    static HeartbeatTiming forInterval(Duration interval, Duration throttle) {
        Duration third = interval.dividedBy(3);
        Duration retry = third.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : third;
        if (retry.isZero()) {
            retry = Duration.ofMillis(1);
        }
        return new HeartbeatTiming(interval, throttle, retry, DEFAULT_STOP_WAIT);
    }

    /** How often the deadline watchdog looks: a quarter of the margin, at most a heartbeat interval. */
    Duration watchdogPeriod(Duration margin) {
        Duration quarter = margin.dividedBy(4);
        Duration period = quarter.compareTo(interval) > 0 ? interval : quarter;
        return period.isZero() ? Duration.ofMillis(1) : period;
    }
}
