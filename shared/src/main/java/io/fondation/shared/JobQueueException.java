package io.fondation.shared;

/**
 * A queue backend failed. {@link #isTransient()} tells callers whether trying again later may
 * work (the backend was unreachable) or not (the request itself was refused).
 */
public class JobQueueException extends FondationException {

    private final boolean transientFailure;

    public JobQueueException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public JobQueueException(String message, boolean transientFailure) {
        this(message, transientFailure, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** The backend refused the request (bad input, a limit); retrying the same call will not help. */
    public static class Rejected extends JobQueueException {
        public Rejected(String message) {
            super(message, false);
        }
    }
}
