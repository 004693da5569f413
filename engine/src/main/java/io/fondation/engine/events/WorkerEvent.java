package io.fondation.engine.events;

import io.fondation.engine.git.ClonedRepository;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link io.fondation.engine.runtime.Worker Worker} does, as one channel of events: its metrics ({@link io.fondation.engine.metrics.WorkerMetrics WorkerMetrics}), its health
 * ({@link io.fondation.engine.health.HealthTracker HealthTracker}), its log lines and its listeners ({@link WorkerListener}) all hear the same events, in the
 * same order, from the {@link EventSink} the worker publishes to. Events of one job come in order from the thread
 * that runs it (or its heartbeats); those of different jobs concurrently.
 */
public sealed interface WorkerEvent {

    /** The worker started: it deleted its stale workspaces and polls now. */
    record Started(Instant at) implements WorkerEvent {}

    /** A claim call answered: a job was claimed or none was due. */
    record ClaimAnswered(boolean claimed) implements WorkerEvent {}

    /**
     * A claim found nothing because the queue holds a pause for the worker's LLM credential (issue 22): no claim goes
     * out until {@code until}.
     *
     * @param credential the credential's fingerprint (never the credential)
     */
    record ClaimsPaused(String credential, Instant until) implements WorkerEvent {}

    /** A claim call failed (the queue is unreachable, or a bug of the queue). */
    record ClaimFailed(String error) implements WorkerEvent {}

    /** The poll loop met an unexpected error, which it waits out. */
    record LoopFailed(String error) implements WorkerEvent {}

    /** An attempt began: the job was claimed and is about to run. */
    record JobClaimed(ClaimedJob job, Instant at) implements WorkerEvent {
        public JobClaimed {
            Objects.requireNonNull(job, "job");
        }
    }

    /** The attempt entered a work phase (cloning, analyzing, gathering), with the progress text that says so. */
    record PhaseEntered(ClaimedJob job, JobStatus phase, Progress progress) implements WorkerEvent {}

    /** The analyzer reported progress (already localized for the UI). */
    record ProgressReported(ClaimedJob job, Progress progress) implements WorkerEvent {}

    /** The repository is checked out. */
    record RepositoryCloned(ClaimedJob job, ClonedRepository repository) implements WorkerEvent {}

    /** The analyzer ended: the facts of its run (duration, cost, tokens, files left out) and its warnings. */
    record AnalyzerReported(ClaimedJob job, Map<String, Object> details, List<String> warnings) implements WorkerEvent {
        public AnalyzerReported {
            details = Map.copyOf(details);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The attempt decided what to run, from its job's checkpoint: {@code stepsResumed} of the six steps are done and
     * skipped, {@code stepsRerun} run ({@code 6 - stepsResumed}; 0 when it completes from the checkpoint without the
     * analyzer), {@code filesRestored} files restored into the output directory, {@code filesDropped} left out as
     * invalid. {@code ignored} says why a checkpoint was not used ("checkpoint ignored: commit ... is not ..."), else
     * empty; {@code said} is the line for the log and the job's row ({@code resumed at step 5/6 (9 files kept)}).
     * {@code costSavedUsd} is the LLM cost the resume did not pay again, as {@code WorkerMetrics.RESUME_COST_SAVED}
     * defines it: what the job's earlier attempts reported, when at least one step is kept; else zero.
     */
    record AttemptResumed(
            ClaimedJob job,
            int stepsResumed,
            int stepsRerun,
            int filesRestored,
            int filesDropped,
            String ignored,
            String said,
            BigDecimal costSavedUsd)
            implements WorkerEvent {

        public AttemptResumed {
            Objects.requireNonNull(costSavedUsd, "costSavedUsd");
            if (costSavedUsd.signum() < 0) {
                throw new IllegalArgumentException("costSavedUsd must not be negative, was " + costSavedUsd);
            }
        }
    }

    /** One output file of the attempt was saved into its job's checkpoint. */
    record CheckpointSaved(String jobId, String path) implements WorkerEvent {}

    /** The attempt gathered its documents and makes its completing write. */
    record Completing(ClaimedJob job) implements WorkerEvent {}

    /** The attempt ended: what was written and what happens to the job next. */
    record AttemptEnded(ClaimedJob job, AttemptOutcome outcome, Duration took, Instant at) implements WorkerEvent {
        public AttemptEnded {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** A final write ({@code complete}, {@code retryOrFail}, {@code release}) failed on a transient error. */
    record WriteFailed(String jobId, String write, String error) implements WorkerEvent {}

    /** A heartbeat got through (whatever the queue answered). */
    record HeartbeatSent(String jobId) implements WorkerEvent {}

    /** A heartbeat failed: the queue did not answer. */
    record HeartbeatFailed(String jobId, String error) implements WorkerEvent {}

    /**
     * The worker met a fault of its own (analyzer missing, workspace full, LLM credential rejected): it claims nothing
     * and checks again after {@code nextCheck}.
     */
    record WorkerFaultFound(JobFailure fault, Duration nextCheck) implements WorkerEvent {}

    /** The worker's fault cleared: it claims again. */
    record WorkerRecovered() implements WorkerEvent {}
}
