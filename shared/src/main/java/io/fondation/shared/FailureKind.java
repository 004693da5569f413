package io.fondation.shared;

/** Why a job attempt failed; decides whether and how soon it is retried. */
public enum FailureKind {
    /** Something that may work next time (network, a crash, a 5xx). Retried with backoff. */
    TRANSIENT(true),
    /** The analyzer ran past its time limit. Retried. */
    TIMEOUT(true),
    /** The LLM API said 429 or 529. Retried, later than usual. */
    RATE_LIMITED(true),
    /** The worker lost its lease or was stopped; the job goes back without blame. */
    INTERRUPTED(true),
    /** Credentials are missing, invalid or expired. An operator must act; not retried. */
    AUTHENTICATION(false),
    /** The worker is misconfigured (analyzer missing or not executable ...). Not retried. */
    CONFIGURATION(false),
    /** The job itself is bad: repository or branch does not exist, invalid URL. Not retried. */
    INVALID_INPUT(false),
    /** The analyzer ran and failed or produced unusable output. Retried. */
    ANALYZER_FAILED(true),
    /** Cancellation was requested. Not retried. */
    CANCELED(false);

    private final boolean retryable;

    FailureKind(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
