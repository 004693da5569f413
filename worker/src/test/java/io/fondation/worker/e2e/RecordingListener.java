package io.fondation.worker.e2e;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.worker.runtime.WorkerListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every worker event as a line of text, in order, for assertions. */
public final class RecordingListener implements WorkerListener {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, ClaimedJob> claims = new ConcurrentHashMap<>();

    /** The last claim of a job, with its lease. */
    public ClaimedJob claimOf(String jobId) {
        return claims.get(jobId);
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    /** The events of one job, without the job id. */
    public List<String> eventsOf(String jobId) {
        return events.stream()
                .filter(e -> e.startsWith(jobId + " "))
                .map(e -> e.substring(jobId.length() + 1))
                .toList();
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        claims.put(job.id(), job);
        events.add(job.id() + " claimed attempt " + job.attempt());
    }

    @Override
    public void onPhase(String jobId, JobStatus phase) {
        events.add(jobId + " phase " + phase.wireName());
    }

    @Override
    public void onProgress(String jobId, Progress progress) {
        events.add(jobId + " progress " + progress.step() + "/" + progress.totalSteps() + " " + progress.message());
    }

    @Override
    public void onCompleted(String jobId, JobResult result) {
        events.add(jobId + " completed " + result.documentCount());
    }

    @Override
    public void onFailed(String jobId, JobFailure failure, RetryDecision decision) {
        events.add(
                jobId + " failed " + failure.kind() + " " + decision.getClass().getSimpleName());
    }

    @Override
    public void onReleased(String jobId, String reason) {
        events.add(jobId + " released " + reason);
    }
}
