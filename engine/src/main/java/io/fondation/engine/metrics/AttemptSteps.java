package io.fondation.engine.metrics;

import io.fondation.engine.metrics.WorkerMetrics.Step;
import io.fondation.shared.JobStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Times the steps of the attempts in flight from the events {@link WorkerMetrics} hears: the claim starts
 * {@link Step#WORKSPACE}, each work phase its step, {@link #completing} the final one, and the end of the attempt
 * ends whichever step was running (so the step an attempt ended in includes its final write).
 */
final class AttemptSteps {

    private record Running(Step step, long startedNanos) {}

    private final WorkerMetrics metrics;
    private final LongSupplier nanoTime;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    AttemptSteps(WorkerMetrics metrics, LongSupplier nanoTime) {
        this.metrics = metrics;
        this.nanoTime = nanoTime;
    }

    void claimed(String jobId) {
        running.put(jobId, new Running(Step.WORKSPACE, nanoTime.getAsLong()));
    }

    /** A work phase began; phases that are not a step of their own (RUNNING) change nothing. */
    void phase(String jobId, JobStatus phase) {
        switch (phase) {
            case CLONING -> enter(jobId, Step.CLONE);
            case ANALYZING -> enter(jobId, Step.ANALYZE);
            case GATHERING -> enter(jobId, Step.GATHER);
            default -> {
                // not a step
            }
        }
    }

    void completing(String jobId) {
        enter(jobId, Step.COMPLETE);
    }

    void ended(String jobId) {
        Running last = running.remove(jobId);
        if (last != null) {
            record(last, nanoTime.getAsLong());
        }
    }

    private void enter(String jobId, Step step) {
        Running previous = running.get(jobId);
        if (previous != null && previous.step() == step) {
            return;
        }
        long now = nanoTime.getAsLong();
        running.put(jobId, new Running(step, now));
        if (previous != null) {
            record(previous, now);
        }
    }

    private void record(Running step, long endedNanos) {
        metrics.stepEnded(step.step(), Duration.ofNanos(endedNanos - step.startedNanos()));
    }
}
