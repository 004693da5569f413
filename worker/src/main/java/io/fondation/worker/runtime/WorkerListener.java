package io.fondation.worker.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;

/**
 * Hears what a {@link Worker} does with its jobs: the {@code dev} display and tests use it. Every method
 * is a no-op by default. Calls come from worker threads (one job's calls in order, different jobs
 * concurrently) and must return quickly; an exception thrown by a listener is logged and ignored.
 */
public interface WorkerListener {

    /** A job was claimed and is about to start. */
    default void onClaimed(ClaimedJob job) {}

    /** The job entered a work phase (cloning, analyzing, gathering). */
    default void onPhase(String jobId, JobStatus phase) {}

    /** The analyzer reported progress; the message is already localized for the UI. */
    default void onProgress(String jobId, Progress progress) {}

    /** The job completed and its documents are stored. */
    default void onCompleted(String jobId, JobResult result) {}

    /**
     * The attempt failed. {@code decision} is what the queue did: retrying, gave up ({@code failed},
     * {@code dead}, or {@code canceled} when cancellation was requested), or not held.
     */
    default void onFailed(String jobId, JobFailure failure, RetryDecision decision) {}

    /** The worker let go of the job without spending an attempt (shutdown, lost lease). */
    default void onReleased(String jobId, String reason) {}
}
