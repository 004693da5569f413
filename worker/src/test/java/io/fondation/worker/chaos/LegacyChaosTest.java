package io.fondation.worker.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.engine.git.TestRepositories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos case 8: the existing deployment (compatibility mode). A failing attempt must not touch the repository's
 * previous course — the existing {@code docs:upsertFromJob} deletes every other generation — and a routine retry
 * is no error.
 */
@Tag("slow")
class LegacyChaosTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    @TempDir
    Path temp;

    @Test
    void aFailingAttemptLeavesThePreviousCourseIntactAndItsRetryIsNoError() throws Exception {
        Path origin = TestRepositories.sample(temp.resolve("origin"));
        Path hosting = TestRepositories.hosting(origin, temp.resolve("hosting"), "acme/widget");
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, "acme/widget", "trunk");
        try (ChaosWorld world = new ChaosWorld(Backend.CONVEX, temp, LEGACY);
                ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build()) {
            Map<String, String> env = world.env("legacy-worker", LEGACY.url());
            env.remove("FONDATION_WORKER_SECRET");
            env.put("GIT_BASE_URL", hosting.toUri().toString());
            WorkerProcess worker = world.start("legacy-worker", env);

            String first = web.createJobLikeTheWebApp(webApp, "");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> status(webApp, first).equals("completed"));
            int course = documents(webApp, first);
            assertThat(course).isEqualTo(10);

            String second = web.createJobLikeTheWebApp(webApp, "fail the model refused");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> worker.output().contains("job " + second + ": attempt 1/5 failed"));

            assertThat(documents(webApp, first)).as("the previous course").isEqualTo(course);
            assertThat(documents(webApp, second))
                    .as("a failed attempt stores nothing")
                    .isZero();
            assertThat(webApp.query("jobs:getJob", Map.of("jobId", second))
                            .path("completedAt")
                            .isMissingNode())
                    .as("and marks nothing completed")
                    .isTrue();
            assertThat(worker.output())
                    .contains("retrying at")
                    .doesNotContain(" ERROR ")
                    .doesNotContain("Exception");
        }
    }

    private static String status(ConvexClient client, String jobId) {
        return client.query("jobs:getJob", Map.of("jobId", jobId))
                .path("status")
                .asText();
    }

    private static int documents(ConvexClient client, String jobId) {
        return client.query("docs:listByJobId", Map.of("jobId", jobId)).size();
    }
}
