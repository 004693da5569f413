package io.fondation.shared;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>Checkpoints. A backend that says so through {@link #checkpointSupport()} keeps, per job, the output files an
 * attempt completed ({@link Checkpoint}), so that the next attempt runs only the steps left. Checkpoints are never
 * the course and never visible as documents. The rules every such backend keeps (the contract suite proves them):
 * <ul>
 *   <li>Fencing. Every write names the lease it is made under and a {@link CheckpointFence}. {@link
 *       CheckpointFence#LEASE}: only while the lease's token is the job's current one, the job is worked on and
 *       cancellation was not requested (as a heartbeat is accepted). {@link CheckpointFence#LEASE_OR_WAITING}: also,
 *       once the lease is gone, while the job is {@code pending} and no other lease opened or wrote the checkpoint
 *       since this one did. A stale holder (its lease expired and another claim took the job) can therefore never
 *       write into the checkpoint of the job's new holder. A refused write changes nothing and is reported as
 *       {@link CheckpointWrite#NOT_HELD}, not thrown.</li>
 *   <li>Holder. {@link #openCheckpoint} (at an attempt's start) and every write accepted under {@code LEASE} make
 *       the lease the checkpoint's holder; that is what "opened or wrote since" means above.</li>
 *   <li>Basis. A checkpoint records what its files were made from ({@link CheckpointBasis}: the commit, the analyzer
 *       and its version, the model, the prompt's fingerprint). A save with another basis replaces the checkpoint
 *       whole: its files never mix inputs.</li>
 *   <li>Lifecycle. A job that ends (completed, failed, dead, canceled; whatever ended it) has its checkpoint deleted
 *       at once; a released, retried or expired attempt's checkpoint stays for the next attempt. The backend
 *       deletes by itself a checkpoint not opened or written for {@link Checkpoint#ORPHAN_AFTER}, or whose job is
 *       gone.</li>
 *   <li>Limits. One file is at most {@link QueueLimits#maxDocumentContentBytes()} of UTF-8 and a checkpoint holds at
 *       most {@link Checkpoint#MAX_FILES} files; a bigger file is refused ({@link JobQueueException.Rejected}) and
 *       is simply not checkpointed: a resume redoes it.</li>
 * </ul>
 *
 * <p>Fleet rules (issue 22). A backend that says so through {@link #fleetSupport()} shares three things between the
 * workers of a fleet: fair claims ({@link #claimOne(ClaimRequest)} takes turns between users, see {@link
 * FleetSupport.Feature#FAIR_CLAIMS}), one pause per LLM credential ({@link #recordPause}, {@link #releaseRateLimited},
 * claims naming a paused credential get nothing), and budgets across attempts (each attempt's cost travels with the
 * call that ends it: {@link #complete(JobLease, Completion, BigDecimal)}, {@link #retryOrFail(JobLease, JobFailure,
 * Progress, BigDecimal)}, {@link #release(JobLease, BigDecimal)}; a job whose budget is spent ends {@code dead}).
 * why cost-carrying variants rather than a separate fenced "record cost" call: the decision that the cost feeds
 * (retry, or dead because the budget is spent) must see it in the same write, and once {@code complete} or {@code
 * retryOrFail} ran the lease is gone, so a cost recorded after it would be refused; the Convex functions take {@code
 * costUsd} as an argument of those very mutations. A backend without a feature keeps today's behaviour for it: the
 * defaults below drop the fleet arguments and delegate to the calls above, and the pause calls throw {@link
 * UnsupportedOperationException} with {@link FleetSupport#reason()}.
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
     * the last. A queue with {@link FleetSupport.Feature#FAIR_CLAIMS} takes turns between users instead, as {@link
     * #claimOne(ClaimRequest)} says; this call is that claim without a credential or a default cap.
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

    /**
     * The queue's depth at {@code now}, for autoscaling ({@link DepthCounts}: pending, due, running and paused, and
     * which counts stopped at the backend's limit): what a claim could take, what is being worked on. Read through
     * indexes, at a cost that follows the counts up to the limit, never the queue's size.
     *
     * @param now the instant "due" and "expired" are measured at, normally the caller's clock; a backend that caches
     *     answers (Convex caches a query by its arguments) is asked for this instant, never given an older answer
     * @return the counts, or empty when this queue cannot count them (the default, and a backend whose store has no
     *     such query)
     * @throws JobQueueException when the queue cannot be reached
     */
    default Optional<DepthCounts> depth(Instant now) {
        Objects.requireNonNull(now, "now");
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

    // ---------------------------------------------------------------- checkpoints

    /**
     * Whether this queue keeps checkpoints; when it does not, the checkpoint calls below throw
     * {@link UnsupportedOperationException} and every attempt runs its analysis from the start (the reason says why,
     * for the worker's start-up log).
     */
    default CheckpointSupport checkpointSupport() {
        return CheckpointSupport.unsupported("this queue does not keep checkpoints");
    }

    /**
     * Opens the job's checkpoint for the attempt holding {@code lease}, at its start: the lease becomes the
     * checkpoint's holder (an earlier holder's {@link CheckpointFence#LEASE_OR_WAITING} writes are refused from now
     * on), and what the checkpoint holds is returned. Fenced as {@link CheckpointFence#LEASE}.
     *
     * @return the checkpoint; empty when there is none, or when the lease no longer holds the job
     * @throws UnsupportedOperationException when {@link #checkpointSupport()} says this queue keeps none
     */
    default Optional<Checkpoint> openCheckpoint(JobLease lease) {
        throw new UnsupportedOperationException(checkpointSupport().reason());
    }

    /**
     * The job's checkpoint, read without a lease (status, operators, tests); nothing changes.
     *
     * @return the checkpoint, or empty when the job has none (or does not exist)
     * @throws UnsupportedOperationException when {@link #checkpointSupport()} says this queue keeps none
     */
    default Optional<Checkpoint> checkpoint(String jobId) {
        throw new UnsupportedOperationException(checkpointSupport().reason());
    }

    /**
     * Saves one file into the job's checkpoint (replacing the file at the same path), if {@code fence} lets this
     * lease write. With a basis other than the stored checkpoint's, the stored checkpoint is replaced by one holding
     * this file only. The checkpoint is no longer {@link Checkpoint#finished() finished} afterwards. Saving the same
     * file again is harmless.
     *
     * @return {@link CheckpointWrite#SAVED}, or {@link CheckpointWrite#NOT_HELD} when the fence refused it (nothing
     *     changed)
     * @throws JobQueueException.Rejected when the file is larger than {@link #limits()} allows, or would be a
     *     checkpoint's {@link Checkpoint#MAX_FILES}+1st file; nothing changed
     * @throws UnsupportedOperationException when {@link #checkpointSupport()} says this queue keeps none
     */
    default CheckpointWrite saveCheckpointFile(
            JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        throw new UnsupportedOperationException(checkpointSupport().reason());
    }

    /**
     * Removes files from the job's checkpoint: those a resume dropped (invalid, or made from output that is being
     * redone), so that a later resume cannot restore them. Fenced as {@link CheckpointFence#LEASE}; paths the
     * checkpoint does not hold are ignored. The checkpoint is no longer finished afterwards.
     *
     * @return {@link CheckpointWrite#SAVED}, or {@link CheckpointWrite#NOT_HELD} (nothing changed)
     * @throws UnsupportedOperationException when {@link #checkpointSupport()} says this queue keeps none
     */
    default CheckpointWrite removeCheckpointFiles(JobLease lease, Collection<String> paths) {
        throw new UnsupportedOperationException(checkpointSupport().reason());
    }

    /**
     * Marks the job's checkpoint {@link Checkpoint#finished() finished}: the attempt's analyzer ended successfully and
     * {@code paths} are its whole output, already saved. The next attempt may then complete from the checkpoint
     * without running the analyzer.
     *
     * @return {@link CheckpointWrite#SAVED}; {@link CheckpointWrite#INCOMPLETE} when the checkpoint is not of {@code
     *     basis} or does not hold exactly {@code paths}; {@link CheckpointWrite#NOT_HELD} when the fence refused it
     * @throws UnsupportedOperationException when {@link #checkpointSupport()} says this queue keeps none
     */
    default CheckpointWrite finishCheckpoint(
            JobLease lease, CheckpointBasis basis, Collection<String> paths, CheckpointFence fence) {
        throw new UnsupportedOperationException(checkpointSupport().reason());
    }

    // ---------------------------------------------------------------- fleet: fair claims, LLM pauses, budgets

    /**
     * Which of issue 22's rules this queue keeps; for the others the worker keeps today's behaviour (the reason says
     * why, for its start-up log).
     */
    default FleetSupport fleetSupport() {
        return FleetSupport.none("this queue keeps no fair claims, LLM pauses or budgets");
    }

    /**
     * Claims a job as {@link #claimOne(String, Duration)} does, under the fleet's rules this queue keeps:
     * <ul>
     *   <li>{@link FleetSupport.Feature#FAIR_CLAIMS}: among users with due jobs, the user whose last claim is oldest
     *       first (ties by the oldest waiting job); within a user, the highest {@link JobSpec#priority()} first, then
     *       the earliest {@code runAt}; a user already holding the queue's {@code MAX_RUNNING_PER_USER} live leases
     *       is skipped (0: no cap). A job whose lease expired is taken over at the latest when no pending job is
     *       due (the Convex functions wait until then; the embedded queue returns it to its user's turn at once).</li>
     *   <li>{@link FleetSupport.Feature#LLM_PAUSES}: with a {@link ClaimRequest#credential()}, nothing is claimed
     *       while that credential is paused ({@link LlmPause#holdsAt}), and the answer says so: {@link
     *       ClaimResult#pause()} is the pause that held the claim back, read in the same transaction, so the worker
     *       needs no other call to know how long to wait. The first claim after the pause's end is the probe, and its
     *       job says so ({@link ClaimTerms#probe()}): the worker clears the pause after a successful analysis only
     *       then. A claim without a credential ignores pauses.</li>
     *   <li>{@link FleetSupport.Feature#COST_BUDGETS}: a job without its own {@link JobSpec#maxCostUsd()} gets the
     *       request's {@link ClaimRequest#defaultMaxCostUsd()}; the claimed job's {@link ClaimTerms#budgetUsd()} says
     *       what is left for this attempt. A job whose budget is already spent is not claimed: it ends {@code dead}
     *       with a message saying so, and its attempt count does not change.</li>
     * </ul>
     * The attempt handed out is counted, as by {@link #claimOne(String, Duration)}. The default (a queue that keeps
     * none of the rules) ignores the credential and the default cap and calls {@link #claimOne(String, Duration)}:
     * its answers are never paused and its jobs never the probe. A queue with any fleet feature overrides it.
     *
     * @return the claimed job (with {@link ClaimedJob#terms()} from a queue with fleet features), or none, and then
     *     the pause that held the claim back, if one did
     */
    default ClaimResult claimOne(ClaimRequest request) {
        return ClaimResult.of(claimOne(request.workerId(), request.lease()));
    }

    /**
     * {@link #complete(JobLease, Completion)}, adding what the completing attempt cost to the job's total (fenced with
     * the completion: a refused completion records nothing). The default, for a queue without {@link
     * FleetSupport.Feature#COST_BUDGETS}, drops the cost.
     *
     * @param attemptCostUsd what the attempt cost (the analyzer's report), or {@code null} when unknown
     */
    default CompleteOutcome complete(JobLease lease, Completion completion, BigDecimal attemptCostUsd) {
        return complete(lease, completion);
    }

    /**
     * {@link #retryOrFail(JobLease, JobFailure, Progress)}, adding what the failed attempt cost to the job's total in
     * the same write (fenced by the lease). With {@link FleetSupport.Feature#COST_BUDGETS}, a retryable failure whose
     * cost leaves nothing of the job's cap ends the job {@code dead} with a message that says the budget is spent
     * ({@link RetryDecision.GaveUp}), whatever attempts are left. The default drops the cost.
     *
     * @param attemptCostUsd what the attempt cost, or {@code null} when unknown
     */
    default RetryDecision retryOrFail(
            JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        return retryOrFail(lease, failure, progress);
    }

    /**
     * {@link #release(JobLease)}, adding what the given-back attempt cost so far to the job's total (it counts towards
     * the budget all the same; fenced by the lease). No attempt is spent. The default drops the cost.
     *
     * @param attemptCostUsd what the attempt cost, or {@code null} when unknown
     */
    default boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        return release(lease);
    }

    /**
     * Records that an analyzer met a rate limit or an overload with {@code credential} outside a held job's end (a
     * job's own limit goes through {@link #releaseRateLimited}): no claim naming the credential gets a job until the
     * pause ends, then one (the probe) until the probe reports. Not fenced (a limit is a fact about the credential);
     * spends no attempt. Length: {@code retryAfter}, else a default per kind; doubled for each limit met in a row,
     * capped, never shorter than {@code retryAfter}, plus jitter. A limit met while the pause holds adds no strike; a
     * longer {@code retryAfter} lengthens the pause.
     *
     * @param workerId who met the limit
     * @param credential the credential's fingerprint ({@link ClaimRequest#requireFingerprint})
     * @param retryAfter what the API asked to wait, or {@code null}
     * @return the pause in force
     * @throws UnsupportedOperationException without {@link FleetSupport.Feature#LLM_PAUSES}
     */
    default LlmPause recordPause(String workerId, String credential, LlmLimitKind kind, Duration retryAfter) {
        throw new UnsupportedOperationException(fleetSupport().reason());
    }

    /**
     * Ends the credential's pause once it has run its course (the probe's run got an answer from the API): claims
     * resume at once, and the next limit starts a new streak. A pause still in force is kept. Not fenced. The worker
     * calls it after a successful analysis of a job whose claim was the probe ({@link ClaimTerms#probe()}), and only
     * then.
     *
     * @return whether a pause was cleared
     * @throws UnsupportedOperationException without {@link FleetSupport.Feature#LLM_PAUSES}
     */
    default boolean clearPause(String workerId, String credential) {
        throw new UnsupportedOperationException(fleetSupport().reason());
    }

    /**
     * The credential's pause, in force or over (compare {@link LlmPause#resumesAt()} with the clock), or empty. Reads
     * only. The worker's poll loop does not need it: an empty claim already answers the pause that held it back.
     *
     * @throws UnsupportedOperationException without {@link FleetSupport.Feature#LLM_PAUSES}
     */
    default Optional<LlmPause> pause(String credential) {
        throw new UnsupportedOperationException(fleetSupport().reason());
    }

    /**
     * The pauses in force now (claims for their credentials still wait), for {@code status}, {@code /health} and the
     * metrics. Reads only.
     *
     * @throws UnsupportedOperationException without {@link FleetSupport.Feature#LLM_PAUSES}
     */
    default List<LlmPause> pauses() {
        throw new UnsupportedOperationException(fleetSupport().reason());
    }

    /**
     * Gives back the held job whose analyzer met a rate limit or an overload, and records the pause for the credential
     * as {@link #recordPause} does (whether or not the lease still holds). Fenced by the lease. The job is {@code
     * pending} and due at once <b>without spending an attempt</b> ({@link RateLimitedRelease.Outcome#RELEASED}) up to
     * a bounded number of times per job (10 on Convex); past them the limit spends the attempt like a retryable
     * failure: {@link RateLimitedRelease.Outcome#RETRYING} no earlier than the pause's end, or {@link
     * RateLimitedRelease.Outcome#DEAD} after the last attempt, so that nothing loops for ever. The attempt's cost is
     * added to the job's total; a spent budget ends the job dead.
     *
     * @param error what the analyzer reported, recorded as the job's last error
     * @param attemptCostUsd what the attempt cost, or {@code null}
     * @throws UnsupportedOperationException without {@link FleetSupport.Feature#LLM_PAUSES}: the worker then gives
     *     the job back through {@link #retryOrFail} with a minimum delay, as today
     */
    default RateLimitedRelease releaseRateLimited(
            JobLease lease,
            String credential,
            LlmLimitKind kind,
            Duration retryAfter,
            String error,
            BigDecimal attemptCostUsd) {
        throw new UnsupportedOperationException(fleetSupport().reason());
    }

    /** Releases resources (connections, files). */
    @Override
    default void close() {}
}
