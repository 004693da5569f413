package io.fondation.engine.events;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Duration;

/**
 * Hears what a {@link io.fondation.engine.runtime.Worker Worker} does, one method per kind of {@link WorkerEvent} it cares for: the {@code dev} display,
 * the one-shot job and tests use it. A view of the worker's one event channel (it is an {@link EventSink}): the
 * same events reach the metrics, the health and the log. Every method is a no-op by default. Calls come from worker
 * threads (one job's calls in order, different jobs concurrently) and must return quickly; an exception thrown by a
 * listener is logged and ignored.
 */
public interface WorkerListener extends EventSink {

    /** Hands {@code event} to the method of its kind. */
    @Override
    default void publish(WorkerEvent event) {
        if (event instanceof WorkerEvent.JobClaimed claimed) {
            onClaimed(claimed.job());
        } else if (event instanceof WorkerEvent.PhaseEntered entered) {
            onPhase(entered.job().id(), entered.phase());
            onProgress(entered.job().id(), entered.progress());
        } else if (event instanceof WorkerEvent.ProgressReported reported) {
            onProgress(reported.job().id(), reported.progress());
        } else if (event instanceof WorkerEvent.AttemptEnded ended) {
            onOutcome(ended.job(), ended.outcome());
        } else if (event instanceof WorkerEvent.WorkerFaultFound fault) {
            onWorkerFault(fault.fault(), fault.nextCheck());
        } else if (event instanceof WorkerEvent.WorkerRecovered) {
            onWorkerRecovered();
        }
    }

    /** A job was claimed and is about to start. */
    default void onClaimed(ClaimedJob job) {}

    /** The job entered a work phase (cloning, analyzing, gathering); called only for phases that run. */
    default void onPhase(String jobId, JobStatus phase) {}

    /** The job's progress changed; the message is already localized for the UI. */
    default void onProgress(String jobId, Progress progress) {}

    /** The attempt ended: what was written to the queue and what happens to the job next. */
    default void onOutcome(ClaimedJob job, AttemptOutcome outcome) {}

    /**
     * The worker met a fault of its own (analyzer missing, workspace full, LLM credential rejected): it stops
     * claiming and checks again after {@code nextCheck}.
     */
    default void onWorkerFault(JobFailure fault, Duration nextCheck) {}

    /** The worker's fault cleared: it claims again. */
    default void onWorkerRecovered() {}
}
