package io.fondation.shared;

import java.util.Arrays;
import java.util.Locale;

/**
 * Every status a job can have in the Fondation system, with the exact wire names the Convex
 * {@code jobs} table and the web app use.
 */
public enum JobStatus {
    PENDING,
    CLAIMED,
    CLONING,
    ANALYZING,
    GATHERING,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELED,
    DEAD;

    /** The lower-case name stored in the {@code status} field. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @throws IllegalArgumentException naming the unknown value and the accepted ones
     */
    public static JobStatus fromWire(String value) {
        if (value != null) {
            for (JobStatus status : values()) {
                if (status.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return status;
                }
            }
        }
        throw new IllegalArgumentException("unknown job status '" + value + "'; expected one of "
                + Arrays.stream(values()).map(JobStatus::wireName).toList());
    }

    /** No further transition happens from a terminal status. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED || this == DEAD;
    }

    /** A worker holds a lease on jobs in these statuses. */
    public boolean isLeased() {
        return this == CLAIMED || this == CLONING || this == ANALYZING || this == GATHERING || this == RUNNING;
    }

    /** The statuses a lease holder may report through a heartbeat. */
    public boolean isWorkPhase() {
        return this == CLONING || this == ANALYZING || this == GATHERING || this == RUNNING;
    }
}
