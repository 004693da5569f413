package io.fondation.shared;

/**
 * Why a job attempt failed; decides whether the job pays for it and whether and how soon it is retried.
 *
 * <p>Two families. <b>Job faults</b> belong to the job (its repository, its branch, what the analyzer made of
 * it, a passing network or API error): they spend an attempt and are retried with backoff or end the job.
 * <b>Worker faults</b> ({@link #isWorkerFault()}) belong to the worker that ran it (its analyzer is missing,
 * its workspace is full or unwritable, its LLM credential was rejected): every job would fail the same way
 * there, so the job is given back without spending an attempt, and the worker stops claiming until the
 * fault clears.
 */
public enum FailureKind {
    /** Something that may work next time (network, a crash, a 5xx). Retried with backoff. */
    TRANSIENT(true, false),
    /** The analyzer ran past its time limit. Retried. */
    TIMEOUT(true, false),
    /** The LLM API said 429 or 529. Retried, later than usual. */
    RATE_LIMITED(true, false),
    /** The worker lost its lease or was stopped; the job goes back without blame. */
    INTERRUPTED(true, false),
    /**
     * The analyzer's LLM credential is missing, rejected or expired. A worker fault: an operator must renew it;
     * the job is released and runs once a worker with a working credential claims it.
     */
    AUTHENTICATION(false, true),
    /** The worker is misconfigured (analyzer missing or not executable ...). A worker fault. */
    CONFIGURATION(false, true),
    /** The worker's workspace ({@code TEMP_DIR}) is unwritable or out of space. A worker fault. */
    WORKSPACE(false, true),
    /**
     * The job itself is bad: the repository or branch does not exist, needs credentials the worker was not
     * given, or the URL is invalid. Not retried.
     */
    INVALID_INPUT(false, false),
    /** The analyzer ran and failed or produced unusable output. Retried. */
    ANALYZER_FAILED(true, false),
    /** Cancellation was requested. Not retried. */
    CANCELED(false, false);

    private final boolean retryable;
    private final boolean workerFault;

    FailureKind(boolean retryable, boolean workerFault) {
        this.retryable = retryable;
        this.workerFault = workerFault;
    }

    /** Whether a job fault of this kind is worth another attempt (meaningless for worker faults). */
    public boolean retryable() {
        return retryable;
    }

    /**
     * Whether the fault is the worker's rather than the job's: the job must then be released without spending
     * an attempt, and the worker must stop claiming until the fault clears.
     */
    public boolean isWorkerFault() {
        return workerFault;
    }
}
