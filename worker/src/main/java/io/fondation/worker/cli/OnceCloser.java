package io.fondation.worker.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/** Closes a resource once, whichever thread asks first (the stop signal or the command itself). */
final class OnceCloser implements AutoCloseable {

    private final AutoCloseable resource;
    private final AtomicBoolean closed = new AtomicBoolean();

    OnceCloser(AutoCloseable resource) {
        this.resource = resource;
    }

    @Override
    public synchronized void close() {
        // synchronized: a second caller waits until the first close finished, so "closed" means done.
        if (closed.compareAndSet(false, true)) {
            try {
                resource.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resource + " failed: " + e.getMessage(), e);
            }
        }
    }
}
