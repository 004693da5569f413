package io.fondation.shared;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queue a worker takes jobs from: the service provider interface every backend implements
 * (the embedded SQLite queue, Convex). Implementations take time from an injected
 * {@link java.time.Clock} and pass the contract suite shipped in this module's test-jar
 * ({@code io.fondation.shared.contract.JobQueueContract}). Arguments are checked the same way by every
 * backend ({@link QueueArguments}, {@link #limits()}).
 *
 * <p>Lease rules. {@link #claimOne} hands a job to one worker under a lease with a fencing token.
 * Every later write carries the {@link JobLease}; once the lease expired and the job was claimed
 * again, the old holder's writes are refused and reported as values ({@code false},
 * {@link CompleteOutcome#NOT_HELD}, {@link RetryDecision.NotHeld}), never applied. Losing a lease is
 * expected in a distributed system, so it is not an exception; a backend that cannot be reached
 * throws {@link JobQueueException}.
 *
 * <p>Attempts. A job's {@code attempts} counts the attempts started (Oban's convention), so that every view of a
 * job names the attempt that runs: {@link #claimOne} counts the attempt it hands out, {@link #release} gives it
 * back, and a failure, an expired lease or a completion add nothing more. A job of {@code maxAttempts} attempts
 * runs at most that many times. A canceled job keeps the attempt it was canceled in, and not an earlier attempt's
 * error.
 *
 * <p>Locks. A job that ended (completed, failed, dead, canceled) holds no lock: no {@code lockedBy}, no lease and
 * no lease token. A running job that is canceled keeps its lock until its holder, told by its heartbeat or
 * {@link #watchCancellation}, gives it back with {@link #release}, or until the lease expires.
 *
 * <p>Documents. Only a completing attempt writes documents: they travel with {@link #complete} and become the
 * job's course only if the completion is accepted. A failed, released, canceled or superseded attempt stores
 * none and removes none, and {@link #documents} of a job that did not complete is empty.
 *
 * <p>Push. A backend that can push changes implements {@link #watchWork} and {@link #watchCancellation}; the
 * defaults push nothing, and the worker then polls.
 */
public interface JobQueue extends AutoCloseable {

    /**
     * Adds a job in status {@code pending}.
     *
     * @return the new job's id (or the id of the active job with the same dedupe key)
     */
    String enqueue(JobSpec spec);

    /**
     * Claims the pending job with the lowest {@code runAt} that is due, or a job whose lease expired, counting the
     * attempt it hands out. A job whose lease expired ends that attempt (its holder crashed) and is dead when it was
     * the last.
     *
     * @param workerId checked by {@link QueueArguments#requireWorkerId}
     * @param leaseDuration checked by {@link QueueArguments#requireLease}
     * @return the claimed job, or empty when none is due
     */
    Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration);

    /**
     * Extends the lease, records the work phase and progress, and reports whether the lease is still
     * held and whether cancellation was requested. Tried once: the caller, which knows the lease deadline,
     * decides whether and when to try again.
     *
     * @param phase one of the work phases ({@link JobStatus#isWorkPhase()}), or {@code null} to keep the status
     * @param progress the progress to record, or {@code null}
     */
    HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration);

    /**
     * Completes the job with its documents: stores them (replacing any the job had) and marks it completed,
     * or changes nothing when the completion is refused. The documents are stored before, or together with, the
     * completion, never after it: a completed job always has its course (a backend that needs two writes stores the
     * documents first, and a job whose documents were stored by an attempt that died before completing is healed by
     * its next claim). Repeating the call with the same lease is harmless
     * ({@link CompleteOutcome#ALREADY_COMPLETED}). The completed job's {@code attempts} counts the completing
     * attempt (counted when it was claimed).
     *
     * @throws JobQueueException.Rejected when a document cannot be stored (for example too large, see
     *     {@link #limits()}); nothing is stored then and the job is still held
     */
    CompleteOutcome complete(JobLease lease, Completion completion);

    /** {@link #complete(JobLease, Completion)} without documents or progress. */
    default CompleteOutcome complete(JobLease lease, JobResult result) {
        return complete(lease, Completion.of(result));
    }

    /**
     * Records a failed attempt (counted when it was claimed) and either schedules a retry with backoff or ends the
     * job ({@code failed} when the failure is not retryable, {@code dead} when it was the last attempt).
     *
     * @param progress how far the attempt came, recorded on the job, or {@code null} to keep what the row has
     */
    RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress);

    /** {@link #retryOrFail(JobLease, JobFailure, Progress)} keeping the recorded progress. */
    default RetryDecision retryOrFail(JobLease lease, JobFailure failure) {
        return retryOrFail(lease, failure, null);
    }

    /**
     * Gives a job back without spending an attempt (on shutdown, or when the fault is the worker's): it is
     * {@code pending} and due at once, and the attempt its claim counted is given back. On a job canceled meanwhile it
     * only gives the lock back: the job stays canceled. A backend whose store has no
     * such operation says so through {@link #releaseSpendsAttempt()}.
     *
     * @return false when the caller no longer holds it, or the job was canceled
     */
    boolean release(JobLease lease);

    /**
     * Whether {@link #release} spends an attempt after all: false for every queue with a real release; true for a
     * backend that must give jobs back through an operation that counts one (the existing Convex functions in
     * compatibility mode), so that the worker's log and status say what really happened.
     */
    default boolean releaseSpendsAttempt() {
        return false;
    }

    /**
     * Requests cancellation. A pending job becomes {@code canceled} at once; a running one is marked
     * {@code canceled} with {@code cancelRequested}, which its holder learns from its next heartbeat (or at
     * once through {@link #watchCancellation}).
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

    /**
     * The number of jobs in each status, for the queue-depth metrics: one cheap call that a worker makes at a low
     * rate (an indexed count on SQLite, one query on Convex). A backend may cap large counts (Convex stops at 1000
     * per status, the existing Convex functions at 100) and leaves out the statuses it cannot count (their gauges are
     * unknown, not zero).
     *
     * @return the counts, or empty when this queue cannot count cheaply (the default)
     * @throws JobQueueException when the queue cannot be reached
     */
    default Optional<Map<JobStatus, Long>> countByStatus() {
        return Optional.empty();
    }

    /** The documents of a completed job, in the order chapters should be read; empty for any other job. */
    List<Document> documents(String jobId);

    /**
     * The credentials to clone a job this queue handed out with, for example the GitHub token of the job's
     * {@link ClaimedJob#owner() owner}. Empty means none: the worker's own {@code GITHUB_TOKEN}, if any, applies.
     *
     * @throws ConfigurationException when the worker cannot read them (a missing or wrong key): a worker fault
     * @throws JobQueueException when their store cannot be reached
     */
    default Optional<GitCredentials> cloneCredentials(ClaimedJob job) {
        return Optional.empty();
    }

    /** What this queue can store. */
    default QueueLimits limits() {
        return QueueLimits.DEFAULT;
    }

    /**
     * Subscribes to pushed news of work: {@code onWorkMayBeDue} runs (on a thread of the queue's, and must return
     * quickly) whenever a {@link #claimOne} may now find a job — one was enqueued or released, a retry came due, a
     * lease expired. A false alarm is allowed; a missed change is not while {@link QueueWatch#isLive()}.
     *
     * @return the subscription; {@link QueueWatch#NONE} when this queue cannot push
     */
    default QueueWatch watchWork(Runnable onWorkMayBeDue) {
        return QueueWatch.NONE;
    }

    /**
     * Subscribes to the cancellation of a held job: {@code onCancelRequested} runs (at most once, quickly) as soon
     * as cancellation is requested, without waiting for the next heartbeat.
     *
     * @return the subscription; {@link QueueWatch#NONE} when this queue cannot push
     */
    default QueueWatch watchCancellation(JobLease lease, Runnable onCancelRequested) {
        return QueueWatch.NONE;
    }

    /** Releases resources (connections, files). */
    @Override
    default void close() {}
}
