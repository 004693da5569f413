package io.fondation.http.oneshot;

/**
 * The exit codes of {@code run-job}, so a serverless job runner can tell what happened without reading logs.
 * When the final callback could not be delivered, the exit code is {@link #CALLBACK_FAILED} whatever the job
 * did: the receiver never learned the result, and that is what the runner must act on.
 */
public final class OneShotExit {

    /** The job completed and the complete callback was delivered. */
    public static final int OK = 0;
    /**
     * The job failed (its repository, its branch, the analysis), or its own input was refused ({@code REPOSITORY_URL}
     * with credentials, a bad {@code BRANCH}, a local path {@code ALLOW_LOCAL_REPOSITORIES} refuses), and the error
     * callback was delivered.
     */
    public static final int JOB_FAILED = 1;
    /**
     * A usage or configuration error, or a fault of the worker itself (analyzer missing, workspace unusable, LLM
     * credential rejected): the job did not fail on its own merits; an error callback was sent when
     * {@code CALLBACK_URL} was usable.
     */
    public static final int CONFIGURATION = 2;
    /** The final callback (complete or error) was not delivered within its tries, or the receiver refused it. */
    public static final int CALLBACK_FAILED = 3;
    /** Stopped (SIGTERM, Ctrl-C) before the job ended; the error callback said so. */
    public static final int INTERRUPTED = 130;

    private OneShotExit() {}
}
