package io.fondation.worker.cli;

/** How a long-running command learns that it should stop (SIGTERM, SIGINT, or a test). */
public interface StopSignal {

    /**
     * Runs {@code action} once, on a thread of its own, when a stop is requested.
     *
     * @return closing it stops listening
     */
    Registration onStop(Runnable action);

    /** A registered stop action. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
