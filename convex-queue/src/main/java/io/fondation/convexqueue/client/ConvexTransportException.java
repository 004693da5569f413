package io.fondation.convexqueue.client;

/**
 * The deployment could not be reached or did not answer properly: connection refused or reset,
 * DNS failure, timeout, HTTP 5xx other than 560, HTTP 429. Such failures are transient; calls
 * declared idempotent are retried, others are not (a mutation whose response was lost may have
 * run).
 */
public class ConvexTransportException extends ConvexException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final boolean retryable;

    /**
     * @param message what failed (no secrets)
     * @param httpStatus the HTTP status, or 0 when no response arrived
     * @param retryable false when trying again makes no sense (the calling thread was interrupted)
     * @param cause the underlying exception, or {@code null}
     */
    public ConvexTransportException(String message, int httpStatus, boolean retryable, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    /** The HTTP status of the failed response, or 0 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether an idempotent call may be tried again. */
    public boolean isRetryable() {
        return retryable;
    }
}
