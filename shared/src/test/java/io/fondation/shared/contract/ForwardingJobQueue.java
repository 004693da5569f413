package io.fondation.shared.contract;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueLimits;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RetryDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A queue that forwards every call to another one: tests extend it and override the calls they change (a queue
 * that fails, or that never pushes news of work).
 */
public abstract class ForwardingJobQueue implements JobQueue {

    private final JobQueue delegate;

    protected ForwardingJobQueue(JobQueue delegate) {
        this.delegate = delegate;
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
    public void close() {
        delegate.close();
    }
}
