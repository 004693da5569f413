package io.fondation.worker.runtime;

import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.worker.git.ClonedRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an attempt's events fan out to metrics, logs and listeners, so that the three always tell the
 * same story: one log line per event, and for the end the line {@link OutcomeText} writes.
 */
final class AttemptReporter {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptReporter.class);

    private final WorkerMetrics metrics;
    private final WorkerListener listener;
    private final Clock clock;
    private final AttemptSteps steps;

    AttemptReporter(WorkerMetrics metrics, WorkerListener listener, Clock clock) {
        this.metrics = metrics;
        this.listener = listener;
        this.clock = clock;
        this.steps = new AttemptSteps(metrics, System::nanoTime);
    }

    void claimed(ClaimedJob job) {
        metrics.jobStarted();
        steps.claimed(job.id());
        if (job.dueAt() != null) {
            // The queue's clock against ours: a little skew can make it negative, which counts as zero.
            metrics.pickedUp(Duration.between(job.dueAt(), clock.instant()));
        }
        LOG.info(
                "job {}: claimed ({}), attempt {}/{}",
                job.id(),
                SecretRedactor.redactTokens(job.source().describe()),
                job.attempt(),
                job.maxAttempts());
        listener.onClaimed(job);
    }

    void phase(ClaimedJob job, JobStatus phase, Progress progress) {
        steps.phase(job.id(), phase);
        LOG.debug("job {}: {}", job.id(), phase.wireName());
        listener.onPhase(job.id(), phase);
        listener.onProgress(job.id(), progress);
    }

    void progress(ClaimedJob job, Progress progress) {
        listener.onProgress(job.id(), progress);
    }

    void cloned(ClaimedJob job, ClonedRepository repository) {
        metrics.cloned(repository.duration());
        LOG.info(
                "job {}: cloned {} ({}, {}) in {} ms",
                job.id(),
                SecretRedactor.redactTokens(repository.url()),
                repository.branch(),
                repository.commit().length() > 12 ? repository.commit().substring(0, 12) : repository.commit(),
                repository.duration().toMillis());
    }

    void analyzed(ClaimedJob job, Map<String, Object> details, List<String> warnings) {
        metrics.analyzerUsage(details);
        warnings.forEach(warning -> LOG.info("job {}: analyzer output: {}", job.id(), warning));
    }

    /** The attempt gathered its documents and makes its one completing write. */
    void completing(ClaimedJob job) {
        steps.completing(job.id());
    }

    void ended(ClaimedJob job, AttemptOutcome outcome, Duration took) {
        steps.ended(job.id());
        metrics.jobEnded(outcome, took);
        String text = OutcomeText.describe(job, outcome, clock.instant());
        if (outcome instanceof AttemptOutcome.Abandoned
                || outcome instanceof AttemptOutcome.LeaseLost
                || outcome instanceof AttemptOutcome.Released released
                        && released.reason() != AttemptOutcome.ReleaseReason.SHUTDOWN) {
            LOG.warn("job {}: {}", job.id(), text);
        } else {
            LOG.info("job {}: {}", job.id(), text);
        }
        listener.onOutcome(job, outcome);
    }
}
