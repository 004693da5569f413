package io.fondation.engine.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a job must give up if no heartbeat gets through: the cure for two workers running one job
 * (Temporal's local heartbeat deadline). Pure: the caller passes the times.
 *
 * <p>The deadline is computed from the worker's own clock: the start of the last renewal that
 * succeeded, plus the lease time, minus a safety margin. The queue extended the lease at a moment no
 * earlier than that start, so the worker gives up before the queue can hand the job to someone else,
 * whatever the skew between the worker's and the queue's clocks. The margin leaves time to kill the
 * analyzer before the lease really ends.
 */
final class LeaseDeadline {

    private final Duration leaseTime;
    private final Duration margin;
    private Instant renewedAt;

    /**
     * @param claimedAt when the claim call started (a lower bound of the queue's lease start)
     * @param leaseTime the lease each claim or heartbeat grants
     */
    LeaseDeadline(Instant claimedAt, Duration leaseTime) {
        this(claimedAt, leaseTime, Duration.ZERO);
    }

    /**
     * @param stopTime how long stopping the analyzer may take (its kill grace): the deadline comes early enough
     *     for the analyzer to be dead before the lease really ends
     */
    LeaseDeadline(Instant claimedAt, Duration leaseTime, Duration stopTime) {
        this.renewedAt = Objects.requireNonNull(claimedAt, "claimedAt");
        this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
        this.margin = marginFor(leaseTime, stopTime);
    }

    /**
     * The margin for a lease and an analyzer that takes {@code stopTime} to stop: {@link #marginFor(Duration)}, or
     * the stop time plus a second when that is longer, but never more than half the lease.
     */
    static Duration marginFor(Duration leaseTime, Duration stopTime) {
        Duration base = marginFor(leaseTime);
        Duration needed = stopTime.plusSeconds(1);
        Duration margin = needed.compareTo(base) > 0 ? needed : base;
        Duration half = leaseTime.dividedBy(2);
        return margin.compareTo(half) > 0 ? half : margin;
    }

    /** A tenth of the lease, between 1 s and 60 s: 30 s for the default 5-minute lease. */
    static Duration marginFor(Duration leaseTime) {
        Duration tenth = leaseTime.dividedBy(10);
        if (tenth.compareTo(Duration.ofSeconds(1)) < 0) {
            return Duration.ofSeconds(1).compareTo(leaseTime.dividedBy(2)) < 0
                    ? Duration.ofSeconds(1)
                    : leaseTime.dividedBy(4);
        }
        return tenth.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : tenth;
    }

    /** A heartbeat that started at {@code callStartedAt} renewed the lease. */
    synchronized void renewed(Instant callStartedAt) {
        if (callStartedAt.isAfter(renewedAt)) {
            renewedAt = callStartedAt;
        }
    }

    /** The instant after which the job must stop. */
    synchronized Instant deadline() {
        return renewedAt.plus(leaseTime).minus(margin);
    }

    /** Whether {@code now} is at or past the deadline. */
    boolean passed(Instant now) {
        return !now.isBefore(deadline());
    }

    Duration margin() {
        return margin;
    }

    /** The lease each claim or heartbeat grants. */
    Duration leaseTime() {
        return leaseTime;
    }
}
