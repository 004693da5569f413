package io.fondation.worker.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes events to listeners in order, shielding the worker from those that throw: a display bug must not fail a job. */
final class SafeListener implements WorkerListener {

    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

    private final List<WorkerListener> listeners;

    SafeListener(List<WorkerListener> listeners) {
        this.listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
    }

    private void each(String event, java.util.function.Consumer<WorkerListener> call) {
        for (WorkerListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("worker listener failed on {}", event, e);
            }
        }
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        each("onClaimed", l -> l.onClaimed(job));
    }

    @Override
    public void onPhase(String jobId, JobStatus phase) {
        each("onPhase", l -> l.onPhase(jobId, phase));
    }

    @Override
    public void onProgress(String jobId, Progress progress) {
        each("onProgress", l -> l.onProgress(jobId, progress));
    }

    @Override
    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        each("onOutcome", l -> l.onOutcome(job, outcome));
    }

    @Override
    public void onWorkerFault(JobFailure fault, Duration nextCheck) {
        each("onWorkerFault", l -> l.onWorkerFault(fault, nextCheck));
    }

    @Override
    public void onWorkerRecovered() {
        each("onWorkerRecovered", WorkerListener::onWorkerRecovered);
    }
}
