package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chaos cases 1 and 3: a worker process killed with {@code kill -9} mid-job, and one stopped with SIGTERM. Real
 * worker processes, a real analyzer process tree, both queues.
 */
@Tag("slow")
class CrashAndShutdownChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aKilledWorkersAnalyzerDiesWithItAndAnotherWorkerCompletesTheJobOnce(Backend backend) throws Exception {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String id = world.submit("stubborn " + pidFile);
            WorkerProcess first = world.startWorker("crashing", Map.of());
            long analyzer = ChaosWorld.awaitPid(pidFile);
            long child = ChaosWorld.awaitPid(Path.of(pidFile + ".child"));

            long killedAt = System.nanoTime();
            first.kill9();

            // No analyzer of the dead worker keeps running unattended (it ignores SIGTERM and SIGPIPE).
            await().atMost(Duration.ofSeconds(10)).until(() -> ChaosWorld.dead(analyzer) && ChaosWorld.dead(child));
            System.out.printf(
                    "chaos %s: analyzer tree dead %d ms after kill -9 of its worker%n",
                    backend, (System.nanoTime() - killedAt) / 1_000_000);

            WorkerProcess second = world.startWorker("rescuer", Map.of());
            JobSnapshot done = world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60));
            System.out.printf(
                    "chaos %s: job completed by another worker %d ms after kill -9 (lease %s ms)%n",
                    backend,
                    (System.nanoTime() - killedAt) / 1_000_000,
                    world.env("x").get("LEASE_TIME"));

            // One crashed attempt (counted when its lease ran out) and the completing one; one completion.
            assertThatJob(done).hasAttempts(2).isNotLeased();
            // why: the row turns completed just before the rescuer logs the outcome
            second.awaitOutput("completed in attempt 2/5", Duration.ofSeconds(10));
            assertThat(second.output()).containsOnlyOnce("completed in attempt 2/5");
            assertThat(second.output()).contains("claimed (");
            // The dead worker's folder went when the next worker started; nothing is left.
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(world.tempDir.resolve("crashing")));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.workspaces() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sigtermReleasesTheJobWithoutSpendingAnAttemptAndExitsZero(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String id = world.submit("stubborn " + pidFile);
            WorkerProcess worker = world.startWorker("stopping", Map.of());
            long analyzer = ChaosWorld.awaitPid(pidFile);
            long child = ChaosWorld.awaitPid(Path.of(pidFile + ".child"));

            long started = System.nanoTime();
            worker.terminate();
            int exit = worker.awaitExit(Duration.ofSeconds(30));

            System.out.printf(
                    "chaos %s: SIGTERM to exit %d ms with a running job%n",
                    backend, (System.nanoTime() - started) / 1_000_000);
            assertThat(exit).as(worker.output()).isZero();
            assertThat(ChaosWorld.dead(analyzer)).isTrue();
            assertThat(ChaosWorld.dead(child)).isTrue();
            assertThatJob(world.job(id))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .isNotLeased();
            assertThat(worker.output()).contains("released without spending an attempt (the worker is shutting down)");
            assertThat(world.workspaces()).isZero();

            world.startWorker("next", Map.of());
            assertThatJob(world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60)))
                    .hasAttempts(1);
        }
    }
}
