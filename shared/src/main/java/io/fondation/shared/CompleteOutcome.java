package io.fondation.shared;

/** What {@link JobQueue#complete} did. */
public enum CompleteOutcome {
    /** The job is now completed. */
    COMPLETED,
    /** The same holder had already completed it (a retried call); nothing changed. */
    ALREADY_COMPLETED,
    /** Cancellation was requested first; the job stays canceled. */
    CANCELED,
    /** The caller no longer holds the job; nothing changed. */
    NOT_HELD
}
