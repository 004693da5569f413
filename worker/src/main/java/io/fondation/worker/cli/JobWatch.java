package io.fondation.worker.cli;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.Waiter;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits until the jobs {@code dev} submitted have all ended. The queue is the source of truth (a
 * job can also end by cancellation from another process); worker events only wake the wait early,
 * and a periodic check covers everything else.
 */
final class JobWatch implements WorkerListener {

    // A wake that arrives while the queue is being read is kept for the next wait, so no event is lost.
    private final Waiter waiter = new Waiter();
    private volatile boolean stopRequested;
    private final Set<String> outcomes = ConcurrentHashMap.newKeySet();

    /**
     * Blocks until every job in {@code ids} is in a terminal status, or a stop is requested.
     *
     * @param recheck how often the queue is read when no event arrives
     * @return true when all ended, false when stopped first
     */
    boolean awaitEnd(JobQueue queue, List<String> ids, Duration recheck) throws InterruptedException {
        Set<String> endedBefore = Set.of();
        while (!stopRequested) {
            Set<String> ended = ended(queue, ids);
            // why: a row turns terminal a moment before this worker's own event about it is shown; a job counts as
            // ended once that event came, or once it was seen ended twice (another process ended it)
            if (ended.size() == ids.size() && shown(ids, endedBefore)) {
                return true;
            }
            endedBefore = ended;
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

    private boolean shown(List<String> ids, Set<String> endedBefore) {
        for (String id : ids) {
            if (!outcomes.contains(id) && !endedBefore.contains(id)) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> ended(JobQueue queue, List<String> ids) {
        Set<String> ended = new HashSet<>();
        for (String id : ids) {
            Optional<JobSnapshot> job = queue.get(id);
            if (job.isEmpty() || job.get().status().isTerminal()) {
                ended.add(id);
            }
        }
        return ended;
    }

    @Override
    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        if (outcome instanceof AttemptOutcome.Completed
                || outcome instanceof AttemptOutcome.Failed
                || outcome instanceof AttemptOutcome.Dead
                || outcome instanceof AttemptOutcome.Canceled) {
            outcomes.add(job.id());
        }
        waiter.wake();
    }
}
