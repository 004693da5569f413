package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.QueueWatch;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Push in compatibility mode, without changing the existing deployment: its {@code queue:getMetrics} ({@code
 * counts.pending}, capped at 100) wakes the worker when a job becomes pending, its public {@code jobs:getJob} pushes
 * cancellation, and the pushed counts feed the queue-depth metric without a call.
 */
class ConvexJobQueueLegacyPushTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void theExistingMetricsQueryPushesNewJobsAndGetJobPushesCancellation() throws Exception {
        WebAppFixtures web = WebAppFixtures.seed(
                LEGACY, TokenEncryption.encrypt("ghp_fake", TokenEncryption.TEST_KEY), "acme/widgets", "main");
        try (ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                ConvexJobQueue queue = ConvexJobQueue.connect(
                        ConvexQueueSettings.of(LEGACY.url()).withEncryptionKey(TokenEncryption.TEST_KEY),
                        Clock.systemUTC())) {
            AtomicInteger wakes = new AtomicInteger();
            QueueWatch watch = queue.watchWork(wakes::incrementAndGet);
            assertThat(watch.isLive()).isTrue();

            String id = web.createJobLikeTheWebApp(webApp, "Write a course");
            await().atMost(WAIT).until(() -> wakes.get() >= 1);
            ClaimedJob claimed = queue.claimOne("w-1", Duration.ofMinutes(5)).orElseThrow();
            assertThat(claimed.id()).isEqualTo(id);

            CountDownLatch canceled = new CountDownLatch(1);
            QueueWatch cancellation = queue.watchCancellation(claimed.lease(), canceled::countDown);
            await().atMost(WAIT).until(cancellation::isLive);
            webApp.mutation("jobs:requestCancel", Map.of("jobId", id));
            assertThat(canceled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    @Test
    void aPendingJobThatIsNotDueMakesTheWatchNotLiveSoTheWorkerPolls() throws Exception {
        WebAppFixtures web = WebAppFixtures.seed(
                LEGACY, TokenEncryption.encrypt("ghp_fake", TokenEncryption.TEST_KEY), "acme/widgets", "main");
        try (ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                ConvexJobQueue queue =
                        ConvexJobQueue.connect(ConvexQueueSettings.of(LEGACY.url()), Clock.systemUTC())) {
            String id = web.createJobLikeTheWebApp(webApp, "Write a course");
            // A retry seconds away: pending, but the legacy metrics cannot say when it is due.
            webApp.mutation("queue:claimOne", Map.of("workerId", "w-0"));
            webApp.mutation("queue:retryOrFail", Map.of("jobId", id, "workerId", "w-0", "error", "boom"));
            AtomicInteger wakes = new AtomicInteger();
            QueueWatch watch = queue.watchWork(wakes::incrementAndGet);
            await().atMost(WAIT).until(() -> wakes.get() >= 1);
            assertThat(queue.claimOne("w-1", Duration.ofMinutes(5))).isEmpty();
            await().atMost(WAIT).until(() -> !watch.isLive());
        }
    }

    @Test
    void whileARetryIsNotDueANewJobStillWakesTheWorkerAtOnce() throws Exception {
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, "acme/widgets", "main");
        try (ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                ConvexJobQueue queue =
                        ConvexJobQueue.connect(ConvexQueueSettings.of(LEGACY.url()), Clock.systemUTC())) {
            String retried = web.createJobLikeTheWebApp(webApp, "Write a course");
            webApp.mutation("queue:claimOne", Map.of("workerId", "w-0"));
            webApp.mutation("queue:retryOrFail", Map.of("jobId", retried, "workerId", "w-0", "error", "boom"));
            AtomicInteger wakes = new AtomicInteger();
            QueueWatch watch = queue.watchWork(wakes::incrementAndGet);
            await().atMost(WAIT).until(() -> wakes.get() >= 1);
            assertThat(queue.claimOne("w-1", Duration.ofMinutes(5))).isEmpty();
            await().atMost(WAIT).until(() -> !watch.isLive());
            int before = wakes.get();

            String fresh = web.createJobLikeTheWebApp(webApp, "Another course");
            await().atMost(WAIT).until(() -> wakes.get() > before);
            assertThat(queue.claimOne("w-1", Duration.ofMinutes(5))
                            .orElseThrow()
                            .id())
                    .isEqualTo(fresh);
        }
    }

    @Test
    void atTheCountsCapANewJobCannotShowSoTheWorkerPolls() throws Exception {
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, "acme/widgets", "main");
        long later = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
        for (int i = 0; i < 100; i++) {
            LEGACY.seed(
                    "jobs",
                    Map.of(
                            "userId",
                            web.userId(),
                            "repositoryId",
                            web.repositoryId(),
                            "status",
                            "pending",
                            "prompt",
                            "later",
                            "callbackToken",
                            "cb-" + i,
                            "runAt",
                            (double) later,
                            "createdAt",
                            1.7e12));
        }
        try (ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                ConvexJobQueue queue =
                        ConvexJobQueue.connect(ConvexQueueSettings.of(LEGACY.url()), Clock.systemUTC())) {
            AtomicInteger wakes = new AtomicInteger();
            QueueWatch watch = queue.watchWork(wakes::incrementAndGet);
            await().atMost(WAIT).until(() -> wakes.get() >= 1);
            assertThat(queue.claimOne("w-1", Duration.ofMinutes(5)))
                    .as("none is due")
                    .isEmpty();
            await().atMost(WAIT).until(() -> !watch.isLive());
            int before = wakes.get();

            // A second subscriber to the same query sees the push the new job causes.
            java.util.concurrent.BlockingQueue<com.fasterxml.jackson.databind.JsonNode> pushed =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            try (var observer = webApp.subscribe("queue:getMetrics", Map.of(), pushed::add)) {
                pushed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                String fresh = web.createJobLikeTheWebApp(webApp, "Another course");
                com.fasterxml.jackson.databind.JsonNode after = pushed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(after).isNotNull();
                assertThat(after.path("counts").path("pending").asInt())
                        .as("capped")
                        .isEqualTo(100);
                // The watch got the same transition: the count did not rise, so no wake; the worker polls.
                await().atMost(WAIT)
                        .until(() ->
                                queue.countByStatus().orElseThrow().get(io.fondation.shared.JobStatus.PENDING) == 100L);
                assertThat(wakes.get()).isEqualTo(before);
                assertThat(watch.isLive()).as("polling").isFalse();
                assertThat(queue.claimOne("w-1", Duration.ofMinutes(5))
                                .orElseThrow()
                                .id())
                        .as("the poll finds it")
                        .isEqualTo(fresh);
            }
        }
    }

    @Test
    void thePushedCountsFeedTheQueueDepthWithoutACall() {
        WebAppFixtures web = WebAppFixtures.seed(LEGACY, null, "acme/widgets", "main");
        try (ConvexClient webApp = ConvexClient.builder().url(LEGACY.url()).build();
                ConvexJobQueue queue =
                        ConvexJobQueue.connect(ConvexQueueSettings.of(LEGACY.url()), Clock.systemUTC())) {
            QueueWatch watch = queue.watchWork(() -> {});
            assertThat(watch.isLive()).isTrue();
            web.createJobLikeTheWebApp(webApp, "Write a course");
            await().atMost(WAIT)
                    .until(() -> queue.countByStatus().orElseThrow().get(io.fondation.shared.JobStatus.PENDING) == 1L);
            LEGACY.calls(true);
            java.util.Map<io.fondation.shared.JobStatus, Long> counts =
                    queue.countByStatus().orElseThrow();
            assertThat(counts)
                    .containsEntry(io.fondation.shared.JobStatus.PENDING, 1L)
                    .containsEntry(io.fondation.shared.JobStatus.CLAIMED, 0L)
                    .containsEntry(io.fondation.shared.JobStatus.COMPLETED, 0L)
                    .containsEntry(io.fondation.shared.JobStatus.FAILED, 0L)
                    .containsEntry(io.fondation.shared.JobStatus.DEAD, 0L)
                    .as("the existing function does not count the work phases or canceled jobs")
                    .doesNotContainKeys(
                            io.fondation.shared.JobStatus.ANALYZING,
                            io.fondation.shared.JobStatus.RUNNING,
                            io.fondation.shared.JobStatus.CANCELED);
            assertThat(LEGACY.calls(false)
                            .path("calls")
                            .path("http")
                            .path("query")
                            .asInt())
                    .as("no queue:getMetrics call: the pushed value answered")
                    .isZero();
            watch.close();
            assertThat(queue.countByStatus().orElseThrow())
                    .as("without a live watch, one call")
                    .containsEntry(io.fondation.shared.JobStatus.PENDING, 1L);
            assertThat(LEGACY.calls(false)
                            .path("calls")
                            .path("http")
                            .path("query")
                            .asInt())
                    .isEqualTo(1);
        }
    }
}
