package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A running job canceled by its user: the cancellation is pushed to the worker holding it (no heartbeat needed,
 * they are a minute apart here), the analyzer's whole tree is killed, nothing else is written, no attempt is
 * spent and the workspace is gone. On Convex the cancel is the web app's own {@code jobs:requestCancel}.
 */
@Tag("slow")
class CancellationChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    /** Far below the heartbeat interval: only a pushed cancellation meets it. */
    private static final Duration PUSHED_BOUND = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCanceledJobsAnalyzerTreeDiesAtOnce(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path pidFile = world.signals.resolve("analyzer.pid");
            String id = world.submit("stubborn " + pidFile);
            WorkerProcess worker =
                    world.startWorker("holder", Map.of("HEARTBEAT_INTERVAL", "60000", "LEASE_TIME", "240000"));
            long analyzer = ChaosWorld.awaitPid(pidFile);
            long child = ChaosWorld.awaitPid(Path.of(pidFile + ".child"));

            long canceledAt = System.nanoTime();
            cancelLikeTheUser(world, id);

            await().atMost(PUSHED_BOUND)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> ChaosWorld.dead(analyzer) && ChaosWorld.dead(child));
            System.out.printf(
                    "chaos %s: analyzer tree dead %d ms after the cancel (heartbeats every 60 s)%n",
                    backend, (System.nanoTime() - canceledAt) / 1_000_000);

            worker.awaitOutput("job " + id + ": canceled", Duration.ofSeconds(30));
            assertThatJob(world.job(id)).hasStatus(JobStatus.CANCELED).isNotLeased();
            assertThat(world.job(id).attempts())
                    .as("the row names the attempt it was canceled in, as the log does")
                    .isEqualTo(1);
            assertThat(worker.output()).contains("job " + id + ": canceled in attempt 1/5");
            assertThat(world.queue().documents(id)).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> world.workspaces() == 0);
            assertThat(worker.isAlive()).isTrue();
            assertThat(worker.output()).doesNotContain(" ERROR ");
        }
    }

    private static void cancelLikeTheUser(ChaosWorld world, String id) {
        if (world.backend == Backend.CONVEX) {
            try (ConvexClient webApp = ConvexClient.builder().url(CONVEX.url()).build()) {
                webApp.mutation("jobs:requestCancel", Map.of("jobId", id));
            }
        } else {
            assertThat(world.queue().cancel(id)).isTrue();
        }
    }
}
