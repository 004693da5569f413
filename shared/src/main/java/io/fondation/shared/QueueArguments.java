package io.fondation.shared;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** The argument checks every {@link JobQueue} backend applies, written once so that the backends agree. */
public final class QueueArguments {

    /** The shortest lease a queue grants. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);
    /** The longest lease a queue grants. */
    public static final Duration MAX_LEASE = Duration.ofHours(24);

    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private QueueArguments() {}

    /**
     * @throws IllegalArgumentException unless the id is 1 to 128 letters, digits or {@code . _ : @ -}
     */
    public static String requireWorkerId(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new IllegalArgumentException(
                    "'" + workerId + "' is not a valid worker id; use 1 to 128 letters, digits or . _ : @ -");
        }
        return workerId;
    }

    /** Whether {@code workerId} passes {@link #requireWorkerId}. */
    public static boolean isValidWorkerId(String workerId) {
        return workerId != null && WORKER_ID.matcher(workerId).matches();
    }

    /**
     * @throws IllegalArgumentException unless the lease lasts from {@link #MIN_LEASE} to {@link #MAX_LEASE}
     */
    public static Duration requireLease(Duration lease) {
        Objects.requireNonNull(lease, "lease");
        if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
            throw new IllegalArgumentException("a lease must last from " + MIN_LEASE.toSeconds() + " s to "
                    + MAX_LEASE.toHours() + " h, was " + lease.toMillis() + " ms");
        }
        return lease;
    }

    /**
     * @throws IllegalArgumentException when the phase is not one a holder may report (cloning, analyzing,
     *     gathering, running); {@code null} (keep the status) is accepted
     */
    public static JobStatus requireWorkPhase(JobStatus phase) {
        if (phase != null && !phase.isWorkPhase()) {
            throw new IllegalArgumentException("heartbeat phase " + phase.wireName()
                    + " is not a work phase (cloning, analyzing, gathering or running)");
        }
        return phase;
    }
}
