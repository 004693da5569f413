package io.fondation.clibridge;

/**
 * An analysis in progress: the analyzer runs ({@link #awaitExit()}), then its output is gathered into documents
 * ({@link #gather()}). The two are separate so that a caller can report the gathering phase when it really
 * starts.
 */
public interface RunningAnalysis {

    /** Terminates the analyzer's whole process tree; the run then reports a CANCELED failure. */
    void cancel();

    /** Whether the analyzer process is still running. */
    boolean isAlive();

    /**
     * Waits for the analyzer to end, without reading its output. Never throws for analyzer failures: they are in
     * {@link AnalyzerExit#failure()}. Calling it again returns the same exit.
     */
    AnalyzerExit awaitExit() throws InterruptedException;

    /**
     * Reads the output directory into documents and gives the run's verdict; call after {@link #awaitExit()}.
     * When the process failed, reports that failure and reads nothing. Calling it again returns the same report.
     *
     * @throws IllegalStateException when the analyzer has not exited yet
     */
    AnalysisReport gather();

    /** {@link #awaitExit()}, then {@link #gather()}. */
    default AnalysisReport await() throws InterruptedException {
        awaitExit();
        return gather();
    }
}
