package io.fondation.embeddedqueue;

import io.fondation.shared.JobQueue;
import io.fondation.shared.contract.JobQueueContract;
import io.fondation.shared.contract.MutableClock;

/** The JobQueue contract against an in-memory SQLite queue. */
class SqliteJobQueueContractTest extends JobQueueContract {

    private SqliteJobQueue queue;

    @Override
    protected JobQueue createQueue(MutableClock clock) {
        queue = SqliteJobQueue.inMemory(clock);
        return queue;
    }

    @Override
    protected boolean setMaxRunningPerUser(int cap) {
        queue.maxRunningPerUser(cap);
        return true;
    }
}
