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
import java.util.HashMap;
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
 * runs only steps 5 and 6, and the course it completes is byte-identical to an uninterrupted run's.
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
            Map<String, String> fondation = new HashMap<>(FondationCliAnalyzer.settings(cli));
            fondation.putAll(cli.environment());
            // why: the second request of step 5, so one reviewed chapter is written and checkpointed before the kill
            cli.pauseAt(5, 1);
            String id = world.submit("");
            WorkerProcess first = world.startWorker("crashing", fondation);
            cli.awaitPaused(TIMEOUT);
            await("a reviewed chapter is checkpointed")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> world.queue()
                            .checkpoint(id)
                            .map(c -> c.files().stream().anyMatch(f -> f.path().startsWith("reviewed-chapters/")))
                            .orElse(false));
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

    private static Map<String, String> contents(ChaosWorld world, String id) {
        Map<String, String> contents = new TreeMap<>();
        for (Document document : world.queue().documents(id)) {
            contents.put(document.kind() + ":" + document.title(), document.content());
        }
        return contents;
    }
}
