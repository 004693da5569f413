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
 * Push in compatibility mode, without changing the existing deployment: its {@code queue:getMetrics} wakes the
 * worker when a job becomes pending, its public {@code jobs:getJob} pushes cancellation.
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
}
