package io.fondation.engine.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueLimits;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.contract.ForwardingJobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real queue behind a switch that makes calls fail the way an unreachable backend does, and a record
 * of the heartbeats that got through. Everything else goes to the real queue, except its push: this queue never
 * pushes news of work or cancellations and has the default limits, as a plain polling backend.
 */
public final class FaultyQueue extends ForwardingJobQueue {

    /** One heartbeat that reached the queue. */
    public record Beat(JobStatus phase, Progress progress, long nanos) {}

    public volatile boolean claimsFail;
    public volatile RuntimeException claimError = new JobQueueException("queue unreachable (test)", true);
    public volatile boolean heartbeatsFail;
    public final AtomicInteger claimCalls = new AtomicInteger();
    public final AtomicInteger heartbeatCalls = new AtomicInteger();
    public final List<Beat> beats = new CopyOnWriteArrayList<>();
    /** The clone credentials this queue hands out (default: none). */
    public volatile Function<ClaimedJob, Optional<GitCredentials>> credentials = job -> Optional.empty();

    public FaultyQueue(JobQueue delegate) {
        super(delegate);
    }

    /** The last fleet claim's request (issue 22), or {@code null}. */
    public volatile io.fondation.shared.ClaimRequest lastRequest;

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        claimCalls.incrementAndGet();
        if (claimsFail) {
            throw claimError;
        }
        return super.claimOne(workerId, leaseDuration);
    }

    @Override
    public Optional<ClaimedJob> claimOne(io.fondation.shared.ClaimRequest request) {
        claimCalls.incrementAndGet();
        lastRequest = request;
        if (claimsFail) {
            throw claimError;
        }
        return super.claimOne(request);
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        heartbeatCalls.incrementAndGet();
        if (heartbeatsFail) {
            throw new JobQueueException("queue unreachable (test)", true);
        }
        HeartbeatResult result = super.heartbeat(lease, phase, progress, leaseDuration);
        beats.add(new Beat(phase, progress, System.nanoTime()));
        return result;
    }

    @Override
    public Optional<GitCredentials> cloneCredentials(ClaimedJob job) {
        return credentials.apply(job);
    }

    @Override
    public QueueLimits limits() {
        return QueueLimits.DEFAULT;
    }

    @Override
    public QueueWatch watchWork(Runnable onWorkMayBeDue) {
        return QueueWatch.NONE;
    }

    @Override
    public QueueWatch watchCancellation(JobLease lease, Runnable onCancelRequested) {
        return QueueWatch.NONE;
    }
}
