package io.fondation.shared;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link JobQueue#releaseRateLimited} did (issue 22).
 *
 * @param pause the credential's pause in force after the limit was recorded (recorded whether or not the job was
 *     still held: the limit is a fact about the credential)
 * @param outcome what became of the job
 * @param attempts the job's attempts afterwards (the given-back attempt not counted when {@link Outcome#RELEASED})
 * @param rateLimitedReleases free rate-limited releases the job has had so far
 * @param nextRunAt when the job is due again after {@link Outcome#RETRYING}, else {@code null}
 */
public record RateLimitedRelease(
        LlmPause pause, Outcome outcome, int attempts, int rateLimitedReleases, Instant nextRunAt) {

    /**
     * Rate-limited releases a job gets without spending an attempt; past them a limit spends the attempt like any
     * retryable failure, so a job runs at most {@code FREE_RELEASES + maxAttempts} times (the Convex functions'
     * {@code FREE_RATE_LIMITED_RELEASES}; every backend keeps the same bound).
     */
    public static final int FREE_RELEASES = 10;

    /** What became of the job. */
    public enum Outcome {
        /** Pending again at once, without spending an attempt. */
        RELEASED,
        /** Its free releases are used up: the limit spent the attempt and the job retries after the pause. */
        RETRYING,
        /** The limit spent the last attempt, or the attempt's cost spent the job's budget. */
        DEAD,
        /** The caller no longer holds the job (or it was canceled): nothing changed but the pause. */
        NOT_HELD
    }

    public RateLimitedRelease {
        Objects.requireNonNull(pause, "pause");
        Objects.requireNonNull(outcome, "outcome");
    }
}
