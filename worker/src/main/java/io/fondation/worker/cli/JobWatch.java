package io.fondation.worker.cli;

import io.fondation.shared.JobFailure;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.RetryDecision;
import io.fondation.worker.runtime.WorkerListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits until the jobs {@code dev} submitted have all ended. The queue is the source of truth (a
 * job can also end by cancellation from another process); worker events only wake the wait early,
 * and a periodic check covers everything else.
 */
final class JobWatch implements WorkerListener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean stopRequested;

    /**
     * Blocks until every job in {@code ids} is in a terminal status, or a stop is requested.
     *
     * @param recheck how often the queue is read when no event arrives
     * @return true when all ended, false when stopped first
     */
    boolean awaitEnd(JobQueue queue, List<String> ids, Duration recheck) throws InterruptedException {
        while (true) {
            lock.lock();
            try {
                if (stopRequested) {
                    return false;
                }
            } finally {
                lock.unlock();
            }
            if (allEnded(queue, ids)) {
                return true;
            }
            lock.lock();
            try {
                if (!stopRequested) {
                    changed.await(recheck.toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    boolean stopRequested() {
        lock.lock();
        try {
            return stopRequested;
        } finally {
            lock.unlock();
        }
    }

    /** Ends {@link #awaitEnd} with false. */
    void requestStop() {
        lock.lock();
        try {
            stopRequested = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
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

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onCompleted(String jobId, JobResult result) {
        wake();
    }

    @Override
    public void onFailed(String jobId, JobFailure failure, RetryDecision decision) {
        wake();
    }

    @Override
    public void onReleased(String jobId, String reason) {
        wake();
    }
}
