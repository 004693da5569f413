package io.fondation.shared;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The queue a worker takes jobs from: the service provider interface every backend implements
 * (the embedded SQLite queue, Convex). Implementations take time from an injected
 * {@link java.time.Clock} and pass the contract suite shipped in this module's test-jar
 * ({@code io.fondation.shared.contract.JobQueueContract}).
 *
 * <p>Lease rules. {@link #claimOne} hands a job to one worker under a lease with a fencing token.
 * Every later write carries the {@link JobLease}; once the lease expired and the job was claimed
 * again, the old holder's writes are refused and reported as values ({@code false},
 * {@link CompleteOutcome#NOT_HELD}, {@link RetryDecision.NotHeld}), never applied. Losing a lease is
 * expected in a distributed system, so it is not an exception; a backend that cannot be reached
 * throws {@link JobQueueException}.
 */
public interface JobQueue extends AutoCloseable {

    /**
     * Adds a job in status {@code pending}.
     *
     * @return the new job's id (or the id of the active job with the same dedupe key)
     */
    String enqueue(JobSpec spec);

    /**
     * Claims the pending job with the lowest {@code runAt} that is due, or a job whose lease expired.
     * A job whose lease expired counts one attempt (its holder crashed) and is dead when attempts run out.
     *
     * @return the claimed job, or empty when none is due
     */
    Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration);

    /**
     * Extends the lease, records the work phase and progress, and reports whether the lease is still
     * held and whether cancellation was requested.
     *
     * @param phase one of the work phases ({@link JobStatus#isWorkPhase()}), or {@code null} to keep the status
     * @param progress the progress to record, or {@code null}
     */
    HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration);

    /**
     * Stores the documents of the job, replacing those of earlier attempts with the same slugs.
     *
     * @return false when the caller no longer holds the job (nothing stored)
     * @throws JobQueueException.Rejected when a document cannot be stored (for example too large)
     */
    boolean saveDocuments(JobLease lease, List<Document> documents);

    /** Marks the job completed. Repeating the call with the same lease is harmless. */
    CompleteOutcome complete(JobLease lease, JobResult result);

    /**
     * Records a failed attempt: spends an attempt and either schedules a retry with backoff or ends the
     * job ({@code failed} when the failure is not retryable, {@code dead} when attempts ran out).
     */
    RetryDecision retryOrFail(JobLease lease, JobFailure failure);

    /**
     * Gives a job back without spending an attempt (for example on shutdown): it is {@code pending}
     * and due at once.
     *
     * @return false when the caller no longer holds it
     */
    boolean release(JobLease lease);

    /**
     * Requests cancellation. A pending job becomes {@code canceled} at once; a running one is marked
     * {@code canceled} with {@code cancelRequested}, which its holder learns from its next heartbeat.
     *
     * @return false when the job does not exist or already ended
     */
    boolean cancel(String jobId);

    /** The job, if it exists. */
    Optional<JobSnapshot> get(String jobId);

    /**
     * Jobs, newest first.
     *
     * @param status only jobs in this status, or {@code null} for all
     * @param limit at most this many
     */
    List<JobSnapshot> list(JobStatus status, int limit);

    /** The documents stored for a job, in the order chapters should be read. */
    List<Document> documents(String jobId);

    /** Releases resources (connections, files). */
    @Override
    default void close() {}
}
