package io.fondation.convexqueue;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobQueue;
import io.fondation.shared.contract.JobQueueContract;
import io.fondation.shared.contract.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared JobQueue contract against {@link ConvexJobQueue} on the real hardened functions,
 * run by convex-test behind real HTTP. The server's clock stands still at the test clock's time and
 * moves with it, so timestamps compare exactly.
 */
class ConvexJobQueueContractTest extends JobQueueContract {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened().frozenClock();

    @Override
    protected JobQueue createQueue(MutableClock clock) {
        CONVEX.setClock(clock.instant());
        return ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET), clock);
    }

    /** The deployment's {@code FONDATION_MAX_RUNNING_PER_USER}, which {@code queue:claimOne} reads per call. */
    @Override
    protected boolean setMaxRunningPerUser(int cap) {
        CONVEX.setEnvironment("FONDATION_MAX_RUNNING_PER_USER", Integer.toString(cap));
        return true;
    }

    /**
     * Moves the server's clock, then runs what the deployment's crons run every minute ({@code queue:reclaimExpired})
     * and every hour ({@code checkpoints:expireOrphans}), as a real deployment would have by then.
     */
    @Override
    protected void onClockAdvanced(Duration by) {
        CONVEX.advanceClock(by);
        CONVEX.runInternal("queue:reclaimExpired");
        CONVEX.runInternal("checkpoints:expireOrphans");
    }
}
