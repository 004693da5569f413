package io.fondation.worker.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields the worker from listeners that throw: a display bug must not fail a job. */
final class SafeListener implements WorkerListener {

    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

    private final WorkerListener delegate;

    SafeListener(WorkerListener delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    private void call(String event, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("worker listener failed on {}", event, e);
        }
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        call("onClaimed", () -> delegate.onClaimed(job));
    }

    @Override
    public void onPhase(String jobId, JobStatus phase) {
        call("onPhase", () -> delegate.onPhase(jobId, phase));
    }

    @Override
    public void onProgress(String jobId, Progress progress) {
        call("onProgress", () -> delegate.onProgress(jobId, progress));
    }

    @Override
    public void onCompleted(String jobId, JobResult result) {
        call("onCompleted", () -> delegate.onCompleted(jobId, result));
    }

    @Override
    public void onFailed(String jobId, JobFailure failure, RetryDecision decision) {
        call("onFailed", () -> delegate.onFailed(jobId, failure, decision));
    }

    @Override
    public void onReleased(String jobId, String reason) {
        call("onReleased", () -> delegate.onReleased(jobId, reason));
    }
}
