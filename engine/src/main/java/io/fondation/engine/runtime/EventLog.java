package io.fondation.engine.runtime;

import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.engine.git.ClonedRepository;
import io.fondation.shared.ClaimedJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines of an attempt, written from its {@link WorkerEvent}s: one line per event, and for the end the line
 * {@link OutcomeText} writes, so that the log tells the story the metrics and the listeners hear.
 */
final class EventLog implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    @Override
    public void publish(WorkerEvent event) {
        if (event instanceof WorkerEvent.JobClaimed claimed) {
            ClaimedJob job = claimed.job();
            LOG.info(
                    "job {}: claimed ({}), attempt {}/{}",
                    job.id(),
                    SecretRedactor.redactTokens(job.source().describe()),
                    job.attempt(),
                    job.maxAttempts());
        } else if (event instanceof WorkerEvent.PhaseEntered entered) {
            LOG.debug("job {}: {}", entered.job().id(), entered.phase().wireName());
        } else if (event instanceof WorkerEvent.RepositoryCloned cloned) {
            ClonedRepository repository = cloned.repository();
            LOG.info(
                    "job {}: cloned {} ({}, {}) in {} ms",
                    cloned.job().id(),
                    SecretRedactor.redactTokens(repository.url()),
                    repository.branch(),
                    repository.commit().length() > 12 ? repository.commit().substring(0, 12) : repository.commit(),
                    repository.duration().toMillis());
        } else if (event instanceof WorkerEvent.AnalyzerReported reported) {
            reported.warnings()
                    .forEach(warning -> LOG.info(
                            "job {}: analyzer output: {}", reported.job().id(), warning));
        } else if (event instanceof WorkerEvent.AttemptEnded ended) {
            ended(ended);
        }
    }

    private static void ended(WorkerEvent.AttemptEnded ended) {
        AttemptOutcome outcome = ended.outcome();
        String text = OutcomeText.describe(ended.job(), outcome, ended.at());
        if (outcome instanceof AttemptOutcome.Abandoned
                || outcome instanceof AttemptOutcome.LeaseLost
                || outcome instanceof AttemptOutcome.Released released
                        && released.reason() != AttemptOutcome.ReleaseReason.SHUTDOWN) {
            LOG.warn("job {}: {}", ended.job().id(), text);
        } else {
            LOG.info("job {}: {}", ended.job().id(), text);
        }
    }
}
