package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker against the real Convex queue functions (run by the convex-queue module's local server):
 * a job created the way the web app creates it is claimed, cloned from {@code owner/name} on
 * {@code GIT_BASE_URL}, analyzed, and completed with its documents.
 */
@Tag("slow")
class ConvexQueueEndToEndTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @Test
    void aJobCreatedByTheWebAppIsProcessedThroughConvex() throws Exception {
        Path origin = TestRepositories.sample(temp.resolve("origin"));
        Path hosting = TestRepositories.hosting(origin, temp.resolve("hosting"), "acme/widget");
        WebAppFixtures web = WebAppFixtures.seed(
                CONVEX, TokenEncryption.encrypt("gh-test-token", TokenEncryption.TEST_KEY), "acme/widget", "feature");
        Path script = TestAnalyzer.install(temp.resolve("bin"));
        WorkerConfig config = WorkerConfigLoader.load(Map.ofEntries(
                Map.entry("HOME", temp.toString()),
                Map.entry("WORKER_ID", "convex-e2e"),
                Map.entry("POLL_INTERVAL", "100"),
                Map.entry("HEARTBEAT_INTERVAL", "1000"),
                Map.entry("CONVEX_URL", CONVEX.url()),
                Map.entry("FONDATION_WORKER_SECRET", LocalConvexServer.WORKER_SECRET),
                Map.entry("ENCRYPTION_KEY", TokenEncryption.TEST_KEY),
                Map.entry("GIT_BASE_URL", hosting.toUri().toString()),
                Map.entry("TEMP_DIR", temp.resolve("tmp").toString()),
                Map.entry("ANALYZER", "command"),
                Map.entry("ANALYZER_COMMAND", TestAnalyzer.commandJson(script)),
                Map.entry("HEALTH_PORT", "-1")));
        WorkerEvents listener = new WorkerEvents();

        try (WorkerRuntime runtime = WorkerRuntime.open(config, Clock.systemUTC(), listener);
                ConvexClient webApp = ConvexClient.builder().url(CONVEX.url()).build()) {
            assertThat(runtime.queue()).isInstanceOf(ConvexJobQueue.class);
            String id = web.createJobLikeTheWebApp(webApp, "");
            long started = System.nanoTime();
            runtime.start();

            // The outcome event follows the final write: wait for it, not only for the row.
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> listener.lastOutcomeOf(id).isPresent());
            System.out.println(
                    "e2e: convex job, start to completed: " + (System.nanoTime() - started) / 1_000_000 + " ms");

            JobSnapshot job = runtime.queue().get(id).orElseThrow();
            assertThat(job.status()).as(String.valueOf(job.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(job.result().documentCount()).isEqualTo(10);
            assertThat(runtime.queue().documents(id))
                    .extracting(Document::slug)
                    .containsExactlyInAnyOrderElementsOf(TestAnalyzer.EXPECTED_SLUGS);
            assertThat(listener.phasesOf(id))
                    .containsExactly(JobStatus.CLONING, JobStatus.ANALYZING, JobStatus.GATHERING);
            assertThat(listener.lastOutcomeOf(id)).get().isInstanceOf(AttemptOutcome.Completed.class);
        }
    }
}
