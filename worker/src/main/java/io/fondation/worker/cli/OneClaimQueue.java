package io.fondation.worker.cli;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueLimits;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RateLimitedRelease;
import io.fondation.shared.RetryDecision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The queue of {@code run --once}: forwards every call to the real queue, but lets only one claim succeed. The worker
 * around it is the ordinary one (its poll loop, leases, heartbeats, SIGTERM release): after the one claim its loop
 * simply finds nothing, so the one-job mode adds no path of its own inside the engine. Every other call, defaults
 * included, goes to the real queue ({@code OneClaimQueueTest} checks that each method of {@link JobQueue} is
 * forwarded, so that a new SPI method cannot silently fall back to its default here).
 */
final class OneClaimQueue implements JobQueue {

    private final JobQueue delegate;
    private final Runnable onClaim;
    private String claimed;
    private boolean closed;

    /** @param onClaim called once, on the claiming thread, when the one claim succeeded */
    OneClaimQueue(JobQueue delegate, Runnable onClaim) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.onClaim = Objects.requireNonNull(onClaim, "onClaim");
    }

    /**
     * Refuses every later claim.
     *
     * @return the id of the job claimed before, or empty when none was
     */
    synchronized Optional<String> closeClaims() {
        closed = true;
        return Optional.ofNullable(claimed);
    }

    /** The id of the job claimed, or empty while none is. */
    synchronized Optional<String> claimedJob() {
        return Optional.ofNullable(claimed);
    }

    @Override
    public String enqueue(JobSpec spec) {
        return delegate.enqueue(spec);
    }

    /**
     * Claims through the queue until one claim succeeded or claims were {@linkplain #closeClaims closed}; then finds
     * nothing. Synchronized with {@link #closeClaims()}, so that a claim in flight when the idle timeout ends is
     * either counted or never made.
     */
    @Override
    public synchronized Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        if (claimed != null || closed) {
            return Optional.empty();
        }
        Optional<ClaimedJob> job = delegate.claimOne(workerId, leaseDuration);
        job.ifPresent(j -> {
            claimed = j.id();
            onClaim.run();
        });
        return job;
    }

    /** The same single claim as {@link #claimOne(String, Duration)}, with the request's fleet terms (issue 22). */
    @Override
    public synchronized Optional<ClaimedJob> claimOne(ClaimRequest request) {
        if (claimed != null || closed) {
            return Optional.empty();
        }
        Optional<ClaimedJob> job = delegate.claimOne(request);
        job.ifPresent(j -> {
            claimed = j.id();
            onClaim.run();
        });
        return job;
    }

    @Override
    public FleetSupport fleetSupport() {
        return delegate.fleetSupport();
    }

    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, BigDecimal attemptCostUsd) {
        return delegate.complete(lease, completion, attemptCostUsd);
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        return delegate.retryOrFail(lease, failure, progress, attemptCostUsd);
    }

    @Override
    public boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        return delegate.release(lease, attemptCostUsd);
    }

    @Override
    public LlmPause recordPause(String workerId, String credential, LlmLimitKind kind, Duration retryAfter) {
        return delegate.recordPause(workerId, credential, kind, retryAfter);
    }

    @Override
    public boolean clearPause(String workerId, String credential) {
        return delegate.clearPause(workerId, credential);
    }

    @Override
    public Optional<LlmPause> pause(String credential) {
        return delegate.pause(credential);
    }

    @Override
    public List<LlmPause> pauses() {
        return delegate.pauses();
    }

    @Override
    public RateLimitedRelease releaseRateLimited(
            JobLease lease,
            String credential,
            LlmLimitKind kind,
            Duration retryAfter,
            String error,
            BigDecimal attemptCostUsd) {
        return delegate.releaseRateLimited(lease, credential, kind, retryAfter, error, attemptCostUsd);
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        return delegate.heartbeat(lease, phase, progress, leaseDuration);
    }

    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion) {
        return delegate.complete(lease, completion);
    }

    @Override
    public CompleteOutcome complete(JobLease lease, JobResult result) {
        return delegate.complete(lease, result);
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure) {
        return delegate.retryOrFail(lease, failure);
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        return delegate.retryOrFail(lease, failure, progress);
    }

    @Override
    public boolean release(JobLease lease) {
        return delegate.release(lease);
    }

    @Override
    public boolean releaseSpendsAttempt() {
        return delegate.releaseSpendsAttempt();
    }

    @Override
    public boolean cancel(String jobId) {
        return delegate.cancel(jobId);
    }

    @Override
    public Optional<JobSnapshot> get(String jobId) {
        return delegate.get(jobId);
    }

    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        return delegate.list(status, limit);
    }

    @Override
    public Optional<Map<JobStatus, Long>> countByStatus() {
        return delegate.countByStatus();
    }

    @Override
    public Optional<DepthCounts> depth(Instant now) {
        return delegate.depth(now);
    }

    @Override
    public List<Document> documents(String jobId) {
        return delegate.documents(jobId);
    }

    @Override
    public Optional<GitCredentials> cloneCredentials(ClaimedJob job) {
        return delegate.cloneCredentials(job);
    }

    @Override
    public QueueLimits limits() {
        return delegate.limits();
    }

    @Override
    public QueueWatch watchWork(Runnable onWorkMayBeDue) {
        return delegate.watchWork(onWorkMayBeDue);
    }

    @Override
    public QueueWatch watchCancellation(JobLease lease, Runnable onCancelRequested) {
        return delegate.watchCancellation(lease, onCancelRequested);
    }

    @Override
    public CheckpointSupport checkpointSupport() {
        return delegate.checkpointSupport();
    }

    @Override
    public Optional<Checkpoint> openCheckpoint(JobLease lease) {
        return delegate.openCheckpoint(lease);
    }

    @Override
    public Optional<Checkpoint> checkpoint(String jobId) {
        return delegate.checkpoint(jobId);
    }

    @Override
    public CheckpointWrite saveCheckpointFile(
            JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        return delegate.saveCheckpointFile(lease, basis, file, fence);
    }

    @Override
    public CheckpointWrite removeCheckpointFiles(JobLease lease, Collection<String> paths) {
        return delegate.removeCheckpointFiles(lease, paths);
    }

    @Override
    public CheckpointWrite finishCheckpoint(
            JobLease lease, CheckpointBasis basis, Collection<String> paths, CheckpointFence fence) {
        return delegate.finishCheckpoint(lease, basis, paths, fence);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
