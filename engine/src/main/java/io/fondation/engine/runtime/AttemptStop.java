package io.fondation.engine.runtime;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one stop state of an attempt: set once from any thread (the first reason wins), read by the attempt
 * between its steps, and it interrupts the step running now (the clone or the analyzer) through the hook the
 * step registered.
 */
final class AttemptStop {

    private final AtomicReference<StopReason> reason = new AtomicReference<>();
    private final Object lock = new Object();
    private Runnable interrupt = () -> {};

    /**
     * Requests a stop.
     *
     * @return true for the call that set the reason, false when a stop was already requested
     */
    boolean request(StopReason why) {
        if (!reason.compareAndSet(null, why)) {
            return false;
        }
        Runnable hook;
        synchronized (lock) {
            hook = interrupt;
        }
        hook.run();
        return true;
    }

    /** The reason, once a stop was requested. */
    Optional<StopReason> reason() {
        return Optional.ofNullable(reason.get());
    }

    boolean requested() {
        return reason.get() != null;
    }

    /**
     * Registers how to interrupt the step that starts now; runs it at once when a stop was already requested.
     *
     * @return false when a stop was already requested (the step should not start)
     */
    boolean interruptWith(Runnable hook) {
        synchronized (lock) {
            interrupt = hook;
        }
        if (requested()) {
            hook.run();
            return false;
        }
        return true;
    }
}
