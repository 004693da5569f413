package io.fondation.worker.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real queue behind a switch that makes calls fail the way an unreachable backend does, and a record
 * of the heartbeats that got through. Everything else goes to the real queue.
 */
final class FaultyQueue implements JobQueue {

    /** One heartbeat that reached the queue. */
    record Beat(JobStatus phase, Progress progress, long nanos) {}

    private final JobQueue delegate;
    volatile boolean claimsFail;
    volatile RuntimeException claimError = new JobQueueException("queue unreachable (test)", true);
    volatile boolean heartbeatsFail;
    final AtomicInteger claimCalls = new AtomicInteger();
    final AtomicInteger heartbeatCalls = new AtomicInteger();
    final List<Beat> beats = new CopyOnWriteArrayList<>();
    /** The clone credentials this queue hands out (default: none). */
    volatile Function<ClaimedJob, Optional<GitCredentials>> credentials = job -> Optional.empty();

    FaultyQueue(JobQueue delegate) {
        this.delegate = delegate;
    }

    @Override
    public String enqueue(JobSpec spec) {
        return delegate.enqueue(spec);
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        claimCalls.incrementAndGet();
        if (claimsFail) {
            throw claimError;
        }
        return delegate.claimOne(workerId, leaseDuration);
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        heartbeatCalls.incrementAndGet();
        if (heartbeatsFail) {
            throw new JobQueueException("queue unreachable (test)", true);
        }
        HeartbeatResult result = delegate.heartbeat(lease, phase, progress, leaseDuration);
        beats.add(new Beat(phase, progress, System.nanoTime()));
        return result;
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
    public Optional<GitCredentials> cloneCredentials(ClaimedJob job) {
        return credentials.apply(job);
    }

    @Override
    public boolean release(JobLease lease) {
        return delegate.release(lease);
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
    public List<Document> documents(String jobId) {
        return delegate.documents(jobId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
