package io.fondation.clibridge;

import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.resume.OutputFile;
import io.fondation.shared.Progress;

/**
 * Hears what a running analysis does. Calls are serialised (never concurrent) and come from the
 * thread draining the analyzer's output, so they must return quickly. Every method is a no-op by
 * default.
 */
public interface AnalysisListener {

    /** Progress advanced or its message changed (never goes backwards, never repeats). */
    default void onProgress(Progress progress) {}

    /** One line of output, as printed (not redacted: do not store it as is). */
    default void onLine(OutputChannel channel, String line) {}

    /**
     * An output file became complete and valid, or changed since it was last reported (runners made with
     * {@link AnalysisRunner#withCheckpoints}): what the worker saves as the job's checkpoint. Each content is reported
     * once; files reported before the analyzer exits may be reported again if it rewrites them, and the last ones come
     * before {@link RunningAnalysis#awaitExit()} returns. Like every call here it must return quickly: hand the file
     * to another thread to save it.
     */
    default void onOutputFile(OutputFile file) {}
}
