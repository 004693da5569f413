package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code run --once}, the one-job mode of KEDA's ScaledJob, with real worker processes on both queues: one job and
 * exit 0, nothing due and exit 0 after the idle timeout, SIGTERM mid-job releasing the job without spending an
 * attempt.
 */
@Tag("slow")
class RunOnceTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void runsOneJobOfTwoAndExitsZero(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            String first = world.submit("");
            String second = world.submit("");
            WorkerProcess worker = world.start("once", world.env("once"), "run", "--once", "--idle-timeout", "60000");

            int exit = worker.awaitExit(Duration.ofSeconds(90));

            assertThat(exit).as(worker.output()).isZero();
            List<JobSnapshot> jobs = List.of(world.job(first), world.job(second));
            assertThat(jobs)
                    .extracting(JobSnapshot::status)
                    .containsExactlyInAnyOrder(JobStatus.COMPLETED, JobStatus.PENDING);
            JobSnapshot done = jobs.stream()
                    .filter(j -> j.status() == JobStatus.COMPLETED)
                    .findFirst()
                    .orElseThrow();
            JobSnapshot left = jobs.stream()
                    .filter(j -> j.status() == JobStatus.PENDING)
                    .findFirst()
                    .orElseThrow();
            assertThatJob(done).hasAttempts(1).isNotLeased();
            // The other job was never claimed: at most one claim.
            assertThatJob(left).hasAttempts(0).isNotLeased();
            assertThat(worker.output()).contains("job " + done.id() + " ended; exiting (--once)");
            assertThat(worker.output()).containsOnlyOnce("claimed (");
            assertThat(world.workspaces()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void exitsZeroAfterTheIdleTimeoutWhenNothingIsDue(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            WorkerProcess worker = world.start("idle", world.env("idle"), "run", "--once", "--idle-timeout", "1500");
            worker.awaitStarted();
            long started = System.nanoTime();

            int exit = worker.awaitExit(Duration.ofSeconds(30));

            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            System.out.printf(
                    "run --once %s: exited %d ms after its start with nothing due (idle 1500 ms)%n", backend, waitedMs);
            assertThat(exit).as(worker.output()).isZero();
            assertThat(worker.output()).contains("no job due within 1500 ms; exiting (--once)");
            // The job queued after it left is the next pod's: nothing claimed it.
            String later = world.submit("");
            assertThatJob(world.job(later)).hasStatus(JobStatus.PENDING).hasAttempts(0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sigtermMidJobReleasesItWithoutSpendingAnAttemptAndExitsZero(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String id = world.submit("stubborn " + pidFile);
            WorkerProcess worker = world.start("once", world.env("once"), "run", "--once");
            long analyzer = ChaosWorld.awaitPid(pidFile);

            worker.terminate();
            int exit = worker.awaitExit(Duration.ofSeconds(30));

            assertThat(exit).as(worker.output()).isZero();
            assertThat(ChaosWorld.dead(analyzer)).isTrue();
            assertThatJob(world.job(id))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .isNotLeased();
            assertThat(worker.output()).contains("released without spending an attempt (the worker is shutting down)");
            assertThat(world.workspaces()).isZero();

            // The next pod takes it over.
            WorkerProcess next = world.start("next", world.env("next"), "run", "--once");
            assertThat(next.awaitExit(Duration.ofSeconds(90))).as(next.output()).isZero();
            assertThatJob(world.job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(1);
        }
    }
}
