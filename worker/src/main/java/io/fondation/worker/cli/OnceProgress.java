package io.fondation.worker.cli;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.shared.ClaimedJob;
import java.time.Duration;

/**
 * Where {@code run --once} stands: its one job claimed, that job's attempt ended, the worker stopped (SIGTERM). The
 * main thread waits on it; the worker's events and the stop signal move it. One monitor, so that one wait sees
 * whichever comes first.
 */
final class OnceProgress implements WorkerListener {

    private boolean claimed;
    private boolean ended;
    private boolean stopped;

    /** The one claim succeeded (called by {@link OneClaimQueue}). */
    synchronized void claimed() {
        claimed = true;
        notifyAll();
    }

    /** The worker was stopped (SIGTERM): whatever it held is released. */
    synchronized void stopped() {
        stopped = true;
        notifyAll();
    }

    // why every outcome: the queue lets one claim through, so the only attempt that can end is that job's
    @Override
    public synchronized void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        ended = true;
        notifyAll();
    }

    /** Waits up to {@code max} for the claim or a stop; true when either came. */
    synchronized boolean awaitClaimOrStop(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!claimed && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Duration wait = Duration.ofNanos(left);
            // why +1 ms: wait(0) waits forever; a wait never ends early on the deadline's last nanoseconds
            wait(wait.toMillis() + 1);
        }
        return true;
    }

    /** Waits until the attempt ended or the worker stopped. */
    synchronized void awaitEndOrStop() throws InterruptedException {
        while (!ended && !stopped) {
            wait();
        }
    }

    synchronized boolean isStopped() {
        return stopped;
    }
}
