package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.convexqueue.testing.FlakyTcpProxy;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.FondationCliAnalyzer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume, issue 23 test 8, with real processes: the queue is unreachable (a cut proxy between worker A and Convex)
 * from before the analyzer ends until after A's lease has expired. A keeps its finished output and saves it as the
 * job's finished checkpoint once the queue answers again; worker B, started afterwards, completes the job from it
 * without running the analyzer, and the course is byte-identical to an uninterrupted run's.
 *
 * <p>Convex only: the case needs a queue behind a network that can be cut. The embedded queue is a SQLite file in the
 * worker's own process, which has no link to cut; its version of the case (the queue's writes failing until after
 * the lease) is the engine's {@code ResumeTest}, on a real SQLite queue.
 */
@Tag("slow")
class FinishedOutputKeptChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @Test
    void aFinishedAnalysisTheQueueCouldNotTakeIsCompletedByTheNextWorkerWithoutAnyAnalyzerRun() {
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, CONVEX);
                FlakyTcpProxy proxy = FlakyTcpProxy.to(CONVEX.url())) {
            FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
            Map<String, String> fondation = FondationCliAnalyzer.forProcess(cli);
            // why: the second request of step 6, so the analyzer is still running when the link is cut
            cli.pauseAt(6, 1);
            String id = world.submit("");
            Map<String, String> envA = world.env("cut-off", proxy.url());
            envA.putAll(fondation);
            // why: --once, so that worker A ends with its attempt and the next attempt is worker B's
            WorkerProcess a = world.start("cut-off", envA, "run", "--once", "--idle-timeout", "120000");
            cli.awaitPaused(TIMEOUT);
            // steps 1-5 are checkpointed through the link
            world.awaitCheckpointed(id, "reviewed-chapters/", TIMEOUT);
            assertThat(world.queue().checkpoint(id).orElseThrow().finished()).isFalse();

            proxy.down();
            cli.release();

            // The analyzer ends during the cut; A cannot complete the job and keeps the output it cannot save.
            await("the analyzer's run ends")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> cli.runs().size() == 1 && cli.runs().get(0).exitCode() != null);
            assertThat(cli.runs().get(0).exitCode()).isZero();
            assertThat(cli.runs().get(0).steps()).containsExactly(1, 2, 3, 4, 5, 6);
            a.awaitOutput("the queue does not answer; keeping its finished output", TIMEOUT);
            Instant leaseUntil = world.job(id).leaseUntil();
            await("A's lease has expired during the cut")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Instant.now().isAfter(leaseUntil.plusSeconds(1)));
            assertThat(world.job(id).leaseUntil())
                    .as("A renewed nothing during the cut")
                    .isEqualTo(leaseUntil);
            assertThat(world.queue().checkpoint(id).orElseThrow().finished()).isFalse();
            assertThat(proxy.droppedConnections()).isPositive();

            proxy.up();

            a.awaitOutput(
                    "is kept as its checkpoint: the next attempt completes without running the analyzer", TIMEOUT);
            // why either write: the analyzer ends before A's lease deadline, its last saves may outlast it
            a.awaitOutput("the queue stayed unreachable for ", TIMEOUT);
            assertThat(a.awaitExit(TIMEOUT)).as(a.output()).isZero();
            Checkpoint kept = world.queue().checkpoint(id).orElseThrow();
            assertThat(kept.finished())
                    .as("the kept output is a finished checkpoint")
                    .isTrue();
            assertThat(kept.files())
                    .as("step 6's files, written during the cut, are in it")
                    .anyMatch(f -> f.path().startsWith("tutorials/"));
            assertThat(world.job(id).documentCount())
                    .as("no document written by the stale attempt")
                    .isZero();

            WorkerProcess b = world.startWorker("rescuer", fondation);
            JobSnapshot done = world.awaitStatus(id, JobStatus.COMPLETED, TIMEOUT);
            // A's attempt (counted when its lease ran out) and B's
            assertThatJob(done).hasAttempts(2).isNotLeased();
            assertThat(done.result().details())
                    .containsEntry("resumed_without_analyzer", true)
                    .containsEntry("resumed_at_step", 6)
                    .containsEntry("resumed_files_kept", kept.files().size());
            b.awaitOutput("steps done (" + kept.files().size() + " files kept): no analyzer run", TIMEOUT);
            assertThat(cli.runs()).as("no analyzer run by the next attempt").hasSize(1);
            assertThat(world.queue().checkpoint(id))
                    .as("a completed job keeps no checkpoint")
                    .isEmpty();
            assertThat(a.output()).doesNotContain("completed in attempt");

            // an uninterrupted run of the same repository, for the byte-identical course
            String whole = world.submit("");
            JobSnapshot wholeDone = world.awaitStatus(whole, JobStatus.COMPLETED, TIMEOUT);
            assertThatJob(wholeDone).hasAttempts(1);
            List<FondationCliFixture.Run> runs = cli.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(1).steps()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(contents(world, id)).isNotEmpty().isEqualTo(contents(world, whole));
            assertThat(world.job(id).documentCount()).isEqualTo(wholeDone.documentCount());
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
