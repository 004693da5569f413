package io.fondation.worker.cli;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Duration;
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
    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        listeners.forEach(l -> l.onOutcome(job, outcome));
    }

    @Override
    public void onWorkerFault(JobFailure fault, Duration nextCheck) {
        listeners.forEach(l -> l.onWorkerFault(fault, nextCheck));
    }

    @Override
    public void onWorkerRecovered() {
        listeners.forEach(WorkerListener::onWorkerRecovered);
    }
}
