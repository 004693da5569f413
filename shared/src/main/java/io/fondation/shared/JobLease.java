package io.fondation.shared;

import java.time.Instant;
import java.util.Objects;

/**
 * Proof that a worker holds a job. Every write a worker makes to a job carries it; the queue
 * refuses writes whose {@link #token()} is not the job's current one (fencing), so a worker whose
 * lease expired and whose job was claimed again cannot touch it any more.
 *
 * @param jobId the job
 * @param workerId the holder
 * @param token the fencing token issued by this claim (unique per claim)
 * @param expiresAt when the lease ends unless renewed (as last known to the holder)
 */
public record JobLease(String jobId, String workerId, String token, Instant expiresAt) {

    public JobLease {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The same lease with a new expiry, after a successful heartbeat. */
    public JobLease renewedUntil(Instant until) {
        return new JobLease(jobId, workerId, token, until);
    }
}
