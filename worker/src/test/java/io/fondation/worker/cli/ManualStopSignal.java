package io.fondation.worker.cli;

import io.fondation.engine.runtime.StopSignal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stop signal a test fires, standing in for SIGTERM or Ctrl-C. */
final class ManualStopSignal implements StopSignal {

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();

    @Override
    public Registration onStop(Runnable action) {
        actions.add(action);
        return () -> actions.remove(action);
    }

    boolean registered() {
        return !actions.isEmpty();
    }

    /** Runs the registered actions on a thread of their own, as the signal handler does. */
    void trigger() {
        for (Runnable action : actions) {
            new Thread(action, "test-stop").start();
        }
    }
}
