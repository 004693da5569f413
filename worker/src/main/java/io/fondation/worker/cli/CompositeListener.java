package io.fondation.worker.cli;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.worker.runtime.WorkerListener;
import java.util.List;

/** Passes every event to several listeners, in order. */
final class CompositeListener implements WorkerListener {

    private final List<WorkerListener> listeners;

    CompositeListener(WorkerListener... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        listeners.forEach(l -> l.onClaimed(job));
    }

    @Override
    public void onPhase(String jobId, JobStatus phase) {
        listeners.forEach(l -> l.onPhase(jobId, phase));
    }

    @Override
    public void onProgress(String jobId, Progress progress) {
        listeners.forEach(l -> l.onProgress(jobId, progress));
    }

    @Override
    public void onCompleted(String jobId, JobResult result) {
        listeners.forEach(l -> l.onCompleted(jobId, result));
    }

    @Override
    public void onFailed(String jobId, JobFailure failure, RetryDecision decision) {
        listeners.forEach(l -> l.onFailed(jobId, failure, decision));
    }

    @Override
    public void onReleased(String jobId, String reason) {
        listeners.forEach(l -> l.onReleased(jobId, reason));
    }
}
