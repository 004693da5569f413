package io.fondation.worker.cli;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.worker.runtime.AttemptOutcome;
import io.fondation.worker.runtime.Waiter;
import io.fondation.worker.runtime.WorkerListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Waits until the jobs {@code dev} submitted have all ended. The queue is the source of truth (a
 * job can also end by cancellation from another process); worker events only wake the wait early,
 * and a periodic check covers everything else.
 */
final class JobWatch implements WorkerListener {

    // A wake that arrives while the queue is being read is kept for the next wait, so no event is lost.
    private final Waiter waiter = new Waiter();
    private volatile boolean stopRequested;

    /**
     * Blocks until every job in {@code ids} is in a terminal status, or a stop is requested.
     *
     * @param recheck how often the queue is read when no event arrives
     * @return true when all ended, false when stopped first
     */
    boolean awaitEnd(JobQueue queue, List<String> ids, Duration recheck) throws InterruptedException {
        while (!stopRequested) {
            if (allEnded(queue, ids)) {
                return true;
            }
            waiter.await(recheck);
        }
        return false;
    }

    /** Blocks until a stop is requested ({@code dev --serve}). */
    void awaitStop() throws InterruptedException {
        while (!stopRequested) {
            waiter.await(Duration.ofSeconds(1));
        }
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** Ends {@link #awaitEnd} with false. */
    void requestStop() {
        stopRequested = true;
        waiter.wake();
    }

    private static boolean allEnded(JobQueue queue, List<String> ids) {
        for (String id : ids) {
            Optional<JobSnapshot> job = queue.get(id);
            if (job.isPresent() && !job.get().status().isTerminal()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        waiter.wake();
    }
}
