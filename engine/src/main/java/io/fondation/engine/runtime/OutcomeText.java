package io.fondation.engine.runtime;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One line that says how an attempt ended and what will actually happen next, in the same words in the log,
 * the console and the status page: the attempt numbers of the claim, the queue's real next run time, no retry
 * promise for a job that will not run again.
 */
public final class OutcomeText {

    private OutcomeText() {}

    /**
     * @param now the current time, to say how far away a retry is
     */
    public static String describe(ClaimedJob job, AttemptOutcome outcome, Instant now) {
        String attempt = "attempt " + job.attempt() + "/" + job.maxAttempts();
        if (outcome instanceof AttemptOutcome.Completed completed) {
            return "completed in " + attempt + ": " + completed.result().message();
        }
        if (outcome instanceof AttemptOutcome.RetryScheduled retry) {
            return attempt + " failed (" + kind(retry.failure()) + "): " + firstLine(retry.failure())
                    + "; retrying at " + retry.nextRunAt().truncatedTo(ChronoUnit.SECONDS) + " (in "
                    + human(Duration.between(now, retry.nextRunAt())) + ")";
        }
        if (outcome instanceof AttemptOutcome.Failed failed) {
            return "failed in " + attempt + " (" + kind(failed.failure()) + "), not retried: "
                    + firstLine(failed.failure());
        }
        if (outcome instanceof AttemptOutcome.Dead dead) {
            return "dead: " + attempt + " failed (" + kind(dead.failure()) + ") and no attempt is left: "
                    + firstLine(dead.failure());
        }
        if (outcome instanceof AttemptOutcome.Released released) {
            String why = released.fault() == null
                    ? released.reason().text()
                    : "worker fault (" + kind(released.fault()) + "): " + firstLine(released.fault());
            if (!released.accepted()) {
                return "given up (" + why + "), but the queue no longer had it as ours; nothing was changed";
            }
            return released.spentAttempt()
                    ? "released (" + why + "), spending an attempt: the queue's functions have no release, so the job"
                            + " went back through one that counts it; it runs again on a free worker"
                    : "released without spending an attempt (" + why + "); it runs again on a free worker";
        }
        if (outcome instanceof AttemptOutcome.Canceled) {
            return "canceled in " + attempt + "; the analyzer was stopped and nothing more was written";
        }
        if (outcome instanceof AttemptOutcome.LeaseLost lost) {
            return "lease lost during " + lost.during()
                    + "; another worker may hold the job now, so nothing more was written";
        }
        AttemptOutcome.Abandoned abandoned = (AttemptOutcome.Abandoned) outcome;
        return "the queue stayed unreachable for " + abandoned.write() + " (" + abandoned.error()
                + "); the lease will expire and the job be claimed again, counting this attempt";
    }

    private static String kind(JobFailure failure) {
        return failure.kind().name();
    }

    private static String firstLine(JobFailure failure) {
        String text = failure.message();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " …";
    }

    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 1) {
            return Math.max(0, duration.toMillis()) + " ms";
        }
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
