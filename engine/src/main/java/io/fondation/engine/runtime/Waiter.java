package io.fondation.engine.runtime;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits between polls and can be woken early. A {@link #wake()} that arrives while nobody waits makes
 * the next {@link #await} return at once, so a job that finishes during a claim call still triggers an
 * immediate re-poll (db-scheduler's {@code wakeOrSkipNextWait}).
 */
public final class Waiter {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pendingWake;

    /**
     * Waits up to {@code max} or until woken.
     *
     * @return true when woken, false when the time ran out
     */
    public boolean await(Duration max) throws InterruptedException {
        lock.lock();
        try {
            long remaining = max.toNanos();
            while (!pendingWake) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = woken.awaitNanos(remaining);
            }
            pendingWake = false;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the current wait, or skips the next one. */
    public void wake() {
        lock.lock();
        try {
            pendingWake = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
