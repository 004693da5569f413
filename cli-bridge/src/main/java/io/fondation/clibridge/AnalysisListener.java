package io.fondation.clibridge;

import io.fondation.clibridge.process.OutputChannel;
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
}
