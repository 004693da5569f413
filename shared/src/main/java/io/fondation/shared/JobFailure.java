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
        message = truncate(message == null || message.isBlank() ? kind.name().toLowerCase() : message);
        minRetryDelay = minRetryDelay == null || minRetryDelay.isNegative() ? Duration.ZERO : minRetryDelay;
    }

    public static JobFailure of(FailureKind kind, String message) {
        return new JobFailure(kind, message, Duration.ZERO);
    }

    public boolean retryable() {
        return kind.retryable();
    }

    private static String truncate(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return text;
        }
        // Cut on a character boundary, keeping room for the marker.
        String marker = " …[truncated]";
        int budget = MAX_MESSAGE_BYTES - marker.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (used + size > budget) {
                break;
            }
            out.appendCodePoint(cp);
            used += size;
            i += Character.charCount(cp);
        }
        return out.append(marker).toString();
    }
}
