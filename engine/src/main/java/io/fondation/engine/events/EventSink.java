package io.fondation.engine.events;

/**
 * Where a {@link io.fondation.engine.runtime.Worker Worker}'s {@link WorkerEvent}s go: the port its metrics, health, log and listeners hear it through.
 * Called from worker threads; must return quickly.
 */
@FunctionalInterface
public interface EventSink {

    /** A sink that hears nothing. */
    EventSink NONE = event -> {};

    void publish(WorkerEvent event);
}
