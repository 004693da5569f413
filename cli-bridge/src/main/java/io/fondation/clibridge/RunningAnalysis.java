package io.fondation.clibridge;

/** An analysis in progress. */
public interface RunningAnalysis {

    /** Terminates the analyzer's whole process tree; {@link #await()} then reports a CANCELED failure. */
    void cancel();

    /** Whether the analyzer process is still running. */
    boolean isAlive();

    /**
     * Waits for the analyzer to end and collects its output. Never throws for analyzer failures:
     * they are in {@link AnalysisReport#failure()}. Calling it again returns the same report.
     */
    AnalysisReport await() throws InterruptedException;
}
