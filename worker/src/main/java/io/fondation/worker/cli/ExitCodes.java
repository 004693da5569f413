package io.fondation.worker.cli;

/** The exit codes of {@code fondation-worker}. */
public final class ExitCodes {

    /** Done; every job completed. */
    public static final int OK = 0;
    /** A job failed for good, or a runtime error (queue unreachable, I/O). */
    public static final int FAILURE = 1;
    /** A usage error or an invalid setting; nothing was done. */
    public static final int USAGE = 2;
    /** Stopped by Ctrl-C before the work was done (128 + SIGINT). */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
