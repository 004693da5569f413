package io.fondation.embeddedqueue;

import io.fondation.shared.JobQueue;
import io.fondation.shared.contract.JobQueueContract;
import io.fondation.shared.contract.MutableClock;

/** The JobQueue contract against an in-memory SQLite queue. */
class SqliteJobQueueContractTest extends JobQueueContract {

    @Override
    protected JobQueue createQueue(MutableClock clock) {
        return SqliteJobQueue.inMemory(clock);
    }
}
