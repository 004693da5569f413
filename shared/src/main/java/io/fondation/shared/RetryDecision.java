package io.fondation.shared;

import java.time.Instant;

/** What {@link JobQueue#retryOrFail} did with a failed attempt. */
public sealed interface RetryDecision {

    /** The job is {@code pending} again and runs no earlier than {@code nextRunAt}. */
    record Retrying(Instant nextRunAt, int attempts) implements RetryDecision {}

    /**
     * The job ended for good: {@code dead} when attempts ran out, {@code failed} when the failure
     * was not retryable.
     */
    record GaveUp(JobStatus status, int attempts) implements RetryDecision {}

    /** The caller no longer holds the job; nothing was changed. */
    record NotHeld() implements RetryDecision {}
}
