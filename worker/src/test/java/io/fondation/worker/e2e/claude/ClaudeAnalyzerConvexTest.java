package io.fondation.worker.e2e.claude;

import static io.fondation.worker.e2e.claude.ClaudeWorld.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.claude.ClaudeRunSummary;
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
import io.fondation.worker.e2e.WorkerEvents;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Claude Code job on the Convex backend (the real queue functions, run by convex-queue's local server): a job
 * created as the web app creates it is cloned from {@code owner/name}, analysed by the real CLI against the scripted
 * API, and completed with its documents and the run's facts.
 */
@Tag("slow")
class ClaudeAnalyzerConvexTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @Test
    void aWebAppJobIsAnalysedByClaudeCodeThroughConvex() throws Exception {
        Path origin = TestRepositories.sample(temp.resolve("origin"));
        Path hosting = temp.resolve("hosting");
        Git.cloneRepository()
                .setURI(origin.toString())
                .setDirectory(hosting.resolve("acme/widget.git").toFile())
                .setBare(true)
                .call()
                .close();
        WebAppFixtures web = WebAppFixtures.seed(
                CONVEX, TokenEncryption.encrypt("gh-test-token", TokenEncryption.TEST_KEY), "acme/widget", "feature");
        try (ClaudeWorld world = new ClaudeWorld(temp, ScriptedCourse.ungated())) {
            Map<String, String> env = new HashMap<>(ClaudeWorld.settings());
            env.putAll(Map.ofEntries(
                    Map.entry("HOME", temp.toString()),
                    Map.entry("WORKER_ID", "convex-claude"),
                    Map.entry("POLL_INTERVAL", "100"),
                    Map.entry("HEARTBEAT_INTERVAL", "1000"),
                    Map.entry("CONVEX_URL", CONVEX.url()),
                    Map.entry("FONDATION_WORKER_SECRET", LocalConvexServer.WORKER_SECRET),
                    Map.entry("ENCRYPTION_KEY", TokenEncryption.TEST_KEY),
                    Map.entry("GIT_BASE_URL", hosting.toUri().toString()),
                    Map.entry("TEMP_DIR", temp.resolve("tmp").toString()),
                    Map.entry("HEALTH_PORT", "-1")));
            WorkerConfig config = WorkerConfigLoader.load(env);
            WorkerEvents listener = new WorkerEvents();
            try (WorkerRuntime runtime = WorkerRuntime.open(
                            config, Clock.systemUTC(), listener, ClaudeWorld.analyzerEnvironment(world.api.baseUrl()));
                    ConvexClient webApp =
                            ConvexClient.builder().url(CONVEX.url()).build()) {
                assertThat(runtime.queue()).isInstanceOf(ConvexJobQueue.class);
                String id = web.createJobLikeTheWebApp(webApp, "");
                long started = System.nanoTime();
                runtime.start();

                AttemptOutcome.Completed completed =
                        listener.awaitOutcome(id, AttemptOutcome.Completed.class, Duration.ofSeconds(90));
                System.out.println("e2e claude: convex job, start to completed: "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");

                await().atMost(Duration.ofSeconds(10))
                        .until(() -> runtime.queue().get(id).orElseThrow().status() == JobStatus.COMPLETED);
                JobSnapshot job = runtime.queue().get(id).orElseThrow();
                assertThat(job.result().documentCount()).isEqualTo(ScriptedCourse.SLUGS.size());
                assertThat(completed.result().details())
                        .containsKeys(
                                ClaudeRunSummary.NUM_TURNS,
                                ClaudeRunSummary.TOTAL_COST_USD,
                                ClaudeRunSummary.INPUT_TOKENS,
                                ClaudeRunSummary.SESSION_ID);
                assertThat(runtime.queue().documents(id))
                        .extracting(Document::slug)
                        .containsExactlyInAnyOrderElementsOf(ScriptedCourse.SLUGS);
                assertThat(job.toString()).doesNotContain(FAKE_KEY);
                assertThat(world.logLines()).noneMatch(line -> line.contains(FAKE_KEY));
            }
        }
    }
}
