package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.FondationCliAnalyzer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resume instead of rerun (issue 23, test 1) with real processes on both queues: a worker process runs the
 * Fondation-CLI fixture (which honours {@code --steps}, skips existing chapter files as the real CLI does and logs each
 * step and request) and is killed with {@code kill -9} during step 5; once its lease ran out another worker process
 * runs only steps 5 and 6, and the course it completes is byte-identical to an uninterrupted run's. The same when the
 * first worker does not die but loses its lease (it stood still past it) while the queue answers.
 */
@Tag("slow")
class ResumeChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWorkerKilledDuringStep5IsFollowedByOneThatRunsOnlySteps5And6AndCompletesTheSameCourse(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
            Map<String, String> fondation = FondationCliAnalyzer.forProcess(cli);
            String id = world.submit("");
            WorkerProcess first = startUntilAReviewedChapterIsCheckpointed(world, cli, id, "crashing");
            List<String> kept = world.queue().checkpoint(id).orElseThrow().files().stream()
                    .map(f -> f.path())
                    .filter(path -> path.startsWith("reviewed-chapters/"))
                    .toList();

            first.kill9();

            WorkerProcess second = world.startWorker("rescuer", fondation);
            JobSnapshot done = world.awaitStatus(id, JobStatus.COMPLETED, TIMEOUT);
            // one crashed attempt (counted when its lease ran out) and the completing one
            assertThatJob(done).hasAttempts(2).isNotLeased();
            assertThat(done.result().details()).containsEntry("resumed_at_step", 5);
            second.awaitOutput("resumed at step 5/6", Duration.ofSeconds(10));
            assertThat(world.queue().checkpoint(id))
                    .as("a completed job keeps no checkpoint")
                    .isEmpty();

            List<FondationCliFixture.Run> runs = cli.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).steps()).as("the killed run").containsExactly(1, 2, 3, 4, 5);
            assertThat(runs.get(0).exitCode())
                    .as("the killed run logged no end")
                    .isNull();
            FondationCliFixture.Run resumed = runs.get(1);
            assertThat(resumed.steps())
                    .as("the next worker runs only steps 5 and 6")
                    .containsExactly(5, 6);
            assertThat(resumed.skipped())
                    .as("the checkpointed reviewed chapter is kept")
                    .containsAll(kept);
            assertThat(resumed.requests())
                    .as("no request for a checkpointed file")
                    .allMatch(file -> file.startsWith("reviewed-chapters/") || file.startsWith("tutorials/"))
                    .doesNotContainAnyElementsOf(kept);

            // an uninterrupted run of the same repository, for the byte-identical course
            String whole = world.submit("");
            assertThatJob(world.awaitStatus(id, JobStatus.COMPLETED, TIMEOUT)).hasAttempts(2);
            JobSnapshot wholeDone = world.awaitStatus(whole, JobStatus.COMPLETED, TIMEOUT);
            assertThatJob(wholeDone).hasAttempts(1);
            assertThat(cli.runs().get(2).steps()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(contents(world, id)).isNotEmpty().isEqualTo(contents(world, whole));
        }
    }

    /**
     * The lease lost while the queue answers: worker A stands still ({@code SIGSTOP}) during step 5 past its lease;
     * worker B takes the job over and resumes at step 5. A, let go on while B holds the job, learns it lost the lease,
     * stops its analyzer and writes nothing more; B completes with only steps 5 and 6 run.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWorkerThatLostItsLeaseDuringStep5IsFollowedByOneThatRunsOnlySteps5And6AndWritesNothingMore(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
            String id = world.submit("");
            WorkerProcess stale = startUntilAReviewedChapterIsCheckpointed(world, cli, id, "frozen");

            stale.freeze();
            // why: the next run stops at step 6, so that A comes back while B holds the job
            cli.pauseAt(6, 0);
            WorkerProcess rescuer = world.startWorker("rescuer", FondationCliAnalyzer.forProcess(cli));
            rescuer.awaitOutput("resumed at step 5/6", TIMEOUT);
            cli.awaitPaused(TIMEOUT);
            stale.thaw();
            await("worker A learns that its lease is lost")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> stale.output().contains("lease lost during")
                            || stale.output().contains("but the queue no longer had it as ours"));
            cli.release();

            JobSnapshot done = world.awaitStatus(id, JobStatus.COMPLETED, TIMEOUT);
            // the attempt whose lease ran out (counted when B took it over) and the completing one
            assertThatJob(done).hasAttempts(2).isNotLeased();
            assertThat(done.result().details()).containsEntry("resumed_at_step", 5);
            assertThat(stale.isAlive())
                    .as("a lost lease is no reason to stop the worker")
                    .isTrue();
            rescuer.awaitOutput("job " + id + ": completed", Duration.ofSeconds(10));
            assertThat(stale.output())
                    .as("A completed nothing after it lost the lease")
                    .doesNotContain("job " + id + ": completed");
            List<FondationCliFixture.Run> runs = cli.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).steps()).as("A's run, stopped").containsExactly(1, 2, 3, 4, 5);
            assertThat(runs.get(0).exitCode()).as("A's run logged no end").isNull();
            assertThat(runs.get(1).steps()).as("B runs only steps 5 and 6").containsExactly(5, 6);
            assertThat(world.queue().documents(id)).isNotEmpty();
        }
    }

    /**
     * Starts worker {@code name} on job {@code id} and returns once its analyzer stands before the second request of
     * step 5, with the first reviewed chapter written and checkpointed.
     */
    private static WorkerProcess startUntilAReviewedChapterIsCheckpointed(
            ChaosWorld world, FondationCliFixture cli, String id, String name) {
        cli.pauseAt(5, 1);
        WorkerProcess worker = world.startWorker(name, FondationCliAnalyzer.forProcess(cli));
        cli.awaitPaused(TIMEOUT);
        world.awaitCheckpointed(id, "reviewed-chapters/", TIMEOUT);
        return worker;
    }

    private static Map<String, String> contents(ChaosWorld world, String id) {
        Map<String, String> contents = new TreeMap<>();
        for (Document document : world.queue().documents(id)) {
            contents.put(document.kind() + ":" + document.title(), document.content());
        }
        return contents;
    }
}
