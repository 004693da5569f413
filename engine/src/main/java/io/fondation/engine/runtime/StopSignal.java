package io.fondation.engine.runtime;

/**
 * How the host of a worker learns that it should stop: SIGTERM or Ctrl-C for the application's commands, the
 * embedding service's own shutdown, or a test. The one stop type of the project for that question: the commands
 * ({@code run}, {@code dev}) and the one-shot job ({@code run-job}) register their stop action with it. (An attempt's
 * own stop, from a lost lease or a cancellation, is {@link AttemptStop}, inside the runtime.)
 */
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
