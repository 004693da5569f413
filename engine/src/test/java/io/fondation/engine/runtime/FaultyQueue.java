package io.fondation.engine.runtime;

import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.ForwardingJobQueue;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueLimits;
import io.fondation.shared.QueueWatch;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collection;
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
    /** {@code complete} fails as an unreachable backend's does. */
    public volatile boolean completesFail;
    /** How many checkpoint writes still fail as an unreachable backend's do. */
    public final AtomicInteger checkpointWritesToFail = new AtomicInteger();
    /** The queue says it keeps no checkpoints (a compatibility-mode backend). */
    public volatile boolean noCheckpoints;

    public final AtomicInteger claimCalls = new AtomicInteger();
    public final AtomicInteger heartbeatCalls = new AtomicInteger();
    public final List<Beat> beats = new CopyOnWriteArrayList<>();
    /** The clone credentials this queue hands out (default: none). */
    public volatile Function<ClaimedJob, Optional<GitCredentials>> credentials = job -> Optional.empty();

    public FaultyQueue(JobQueue delegate) {
        super(delegate);
    }

    /** The last fleet claim's request (issue 22), or {@code null}. */
    public volatile ClaimRequest lastRequest;

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        claimCalls.incrementAndGet();
        if (claimsFail) {
            throw claimError;
        }
        return super.claimOne(workerId, leaseDuration);
    }

    @Override
    public ClaimResult claimOne(ClaimRequest request) {
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
    public CompleteOutcome complete(JobLease lease, Completion completion) {
        if (completesFail) {
            throw new JobQueueException("queue unreachable (test)", true);
        }
        return super.complete(lease, completion);
    }

    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, BigDecimal attemptCostUsd) {
        // why: the engine completes with the attempt's cost (issue 22); the fault must hit that path too
        if (completesFail) {
            throw new JobQueueException("queue unreachable (test)", true);
        }
        return super.complete(lease, completion, attemptCostUsd);
    }

    @Override
    public CheckpointSupport checkpointSupport() {
        return noCheckpoints
                ? CheckpointSupport.unsupported("a compatibility-mode queue (test)")
                : super.checkpointSupport();
    }

    @Override
    public CheckpointWrite saveCheckpointFile(
            JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        failCheckpointWrite();
        return super.saveCheckpointFile(lease, basis, file, fence);
    }

    @Override
    public CheckpointWrite finishCheckpoint(
            JobLease lease, CheckpointBasis basis, Collection<String> paths, CheckpointFence fence) {
        failCheckpointWrite();
        return super.finishCheckpoint(lease, basis, paths, fence);
    }

    private void failCheckpointWrite() {
        if (checkpointWritesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new JobQueueException("queue unreachable (test)", true);
        }
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
