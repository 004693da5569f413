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
 * A queue that forwards every call to another one (Guava's Forwarding* pattern): a decorator extends it and overrides
 * the calls it changes (run --once's queue of one claim; in tests, a queue that fails, or that never pushes news of work).
 *
 * <p>The overloads of issue 22 ({@code claimOne(ClaimRequest)}, the cost-carrying {@code complete}, {@code
 * retryOrFail} and {@code release}) forward to the delegate's same overloads, not to this class's other ones: a
 * subclass that changes {@code claimOne(String, Duration)} and is used by code that claims with a {@code ClaimRequest}
 * overrides that one too.
 */
public abstract class ForwardingJobQueue implements JobQueue {

    private final JobQueue delegate;

    protected ForwardingJobQueue(JobQueue delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The queue calls go to. */
    protected JobQueue delegate() {
        return delegate;
    }

    @Override
    public String enqueue(JobSpec spec) {
        return delegate.enqueue(spec);
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        return delegate.claimOne(workerId, leaseDuration);
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
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        return delegate.retryOrFail(lease, failure, progress);
    }

    @Override
    public boolean release(JobLease lease) {
        return delegate.release(lease);
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
    public Optional<Map<JobStatus, Long>> countByStatus() {
        return delegate.countByStatus();
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
    public FleetSupport fleetSupport() {
        return delegate.fleetSupport();
    }

    @Override
    public ClaimResult claimOne(ClaimRequest request) {
        return delegate.claimOne(request);
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
    public void close() {
        delegate.close();
    }
}
