package io.fondation.worker.bench;

import io.fondation.shared.ForwardingJobQueue;
import io.fondation.shared.JobQueue;
import io.fondation.shared.QueueWatch;

/**
 * A queue that never pushes news of work, so the worker polls at {@code POLL_INTERVAL}: how the existing worker
 * (and ours on a queue without push) sees the same jobs.
 */
final class PollingOnlyQueue extends ForwardingJobQueue {

    PollingOnlyQueue(JobQueue delegate) {
        super(delegate);
    }

    @Override
    public QueueWatch watchWork(Runnable onWorkMayBeDue) {
        return QueueWatch.NONE;
    }
}
