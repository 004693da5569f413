package io.fondation.embeddedqueue;

import io.fondation.shared.JobQueue;
import io.fondation.shared.contract.JobQueueContract;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The JobQueue contract against a SQLite file in WAL mode, as the {@code dev} command uses it. */
class SqliteFileJobQueueContractTest extends JobQueueContract {

    @TempDir
    Path dir;

    private SqliteJobQueue queue;

    @Override
    protected JobQueue createQueue(MutableClock clock) {
        queue = SqliteJobQueue.open(dir.resolve("data").resolve("queue.db"), clock);
        return queue;
    }

    @Override
    protected boolean setMaxRunningPerUser(int cap) {
        queue.maxRunningPerUser(cap);
        return true;
    }
}
