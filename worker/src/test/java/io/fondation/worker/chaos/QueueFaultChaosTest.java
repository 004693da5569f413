package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.FlakyTcpProxy;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.testing.SuiteSharing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Chaos cases 2 and 4: the queue goes away under a running job. A worker that cannot renew its lease stops its
 * analyzer before the lease can go to another worker, and a shorter outage is ridden out. They need a queue
 * behind a network (a proxy that can go down), so they run on Convex; the embedded queue is a local file.
 */
@Tag("slow")
// why concurrent: its time goes to waits the case prescribes; it runs beside the sequential classes, its own
// methods one after another (they share one test server) (SuiteSharing)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = SuiteSharing.MACHINE, mode = ResourceAccessMode.READ)
class QueueFaultChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aWorkerThatCannotRenewItsLeaseKillsItsAnalyzerAndTheJobGoesToAnotherWorker() {
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, CONVEX);
                FlakyTcpProxy proxy = FlakyTcpProxy.to(CONVEX.url())) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String id = world.submit("stubborn " + pidFile);
            Map<String, String> env = world.env("cut-off", proxy.url());
            WorkerProcess cutOff = world.start("cut-off", env);
            long analyzer = ChaosWorld.awaitPid(pidFile);

            proxy.down();
            long cutAt = System.nanoTime();
            // The lease is 4 s: the worker must kill its analyzer before that, without any queue to tell it.
            await().atMost(Duration.ofSeconds(10)).until(() -> ChaosWorld.dead(analyzer));
            long killedAfter = (System.nanoTime() - cutAt) / 1_000_000;
            System.out.printf(
                    "chaos CONVEX: analyzer killed %d ms after the queue went away (lease 4000 ms)%n", killedAfter);
            assertThat(killedAfter).isLessThan(4_000);
            cutOff.awaitOutput("no heartbeat got through before", Duration.ofSeconds(10));

            world.startWorker("rescuer", Map.of());
            JobSnapshot done = world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60));
            proxy.up();

            // The stale holder is back on the network: it writes nothing over the rescuer's result.
            assertThat(cutOff.isAlive())
                    .as("the worker itself survives the outage")
                    .isTrue();
            assertThatJob(world.job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(done.attempts());
            assertThat(world.job(id).result().message()).isEqualTo(done.result().message());
            assertThat(cutOff.output()).doesNotContain("completed in attempt");
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aThirtySecondOutageMidJobIsRiddenOut() throws Exception {
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, CONVEX);
                FlakyTcpProxy proxy = FlakyTcpProxy.to(CONVEX.url())) {
            Path go = world.signals.resolve("go");
            String id = world.submit("wait-for " + go);
            Map<String, String> env = world.env("patient", proxy.url());
            env.put("LEASE_TIME", "60000");
            env.put("HEARTBEAT_INTERVAL", "5000");
            WorkerProcess worker = world.start("patient", env);
            await().atMost(Duration.ofSeconds(60)).until(() -> world.job(id).status() == JobStatus.ANALYZING);

            proxy.down();
            // The outage lasts 30 s (the case under test); meanwhile the worker keeps trying to renew.
            await().pollDelay(Duration.ofSeconds(30))
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> proxy.droppedConnections() > 0);
            proxy.up();
            Files.writeString(go, "");

            assertThatJob(world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60)))
                    .hasAttempts(1)
                    .reachedStep(6);
            assertThat(worker.output()).contains("heartbeat");
            assertThat(proxy.droppedConnections()).isPositive();
        }
    }
}
