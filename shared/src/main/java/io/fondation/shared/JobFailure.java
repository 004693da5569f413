package io.fondation.shared;

import java.time.Duration;
import java.util.Objects;

/**
 * Why an attempt failed, whether it is worth retrying, and how long to wait at least.
 *
 * @param kind the class of failure
 * @param message a short, secret-free summary stored as the job's last error (at most 4 KiB)
 * @param minRetryDelay the smallest delay before a retry (for example after a rate limit);
 *     {@link Duration#ZERO} to use the policy's backoff alone
 */
public record JobFailure(FailureKind kind, String message, Duration minRetryDelay) {

    /** The most text stored as a job's error. */
    public static final int MAX_MESSAGE_BYTES = 4096;

    public JobFailure {
        Objects.requireNonNull(kind, "kind");
        message = Utf8.cut(
                message == null || message.isBlank() ? kind.name().toLowerCase() : message,
                MAX_MESSAGE_BYTES,
                " …[truncated]");
        minRetryDelay = minRetryDelay == null || minRetryDelay.isNegative() ? Duration.ZERO : minRetryDelay;
    }

    public static JobFailure of(FailureKind kind, String message) {
        return new JobFailure(kind, message, Duration.ZERO);
    }

    public boolean retryable() {
        return kind.retryable();
    }
}
