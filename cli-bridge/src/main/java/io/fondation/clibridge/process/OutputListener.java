package io.fondation.clibridge.process;

/**
 * Receives a child process's output, one decoded line at a time (without its line terminator).
 *
 * <p>Calls for one process are serialised (never concurrent), in the order each stream produced
 * them. A listener must return quickly: it runs on the thread that drains the pipe. An exception
 * thrown by a listener is logged and the output keeps being drained.
 */
@FunctionalInterface
public interface OutputListener {

    /** A listener that ignores everything. */
    OutputListener NONE = (channel, line) -> {};

    void onLine(OutputChannel channel, String line);
}
