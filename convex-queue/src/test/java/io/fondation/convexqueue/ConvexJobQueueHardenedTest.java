package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the hardened mode adds beyond the shared contract: web-app jobs, clone credentials, batching, depth caps. */
class ConvexJobQueueHardenedTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final String TOKEN = "gh-test-token";
    private static final Duration LEASE = Duration.ofMinutes(5);

    private ConvexJobQueue queue;
    private ConvexClient webApp;

    @BeforeEach
    void connect() {
        queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url())
                        .withWorkerSecret(LocalConvexServer.WORKER_SECRET)
                        .withEncryptionKey(TokenEncryption.TEST_KEY),
                Clock.systemUTC());
        webApp = ConvexClient.builder().url(CONVEX.url()).build();
    }

    @AfterEach
    void close() {
        queue.close();
        webApp.close();
    }

    @Test
    void aClaimHeldBackByAPauseAnswersThePauseInOneCallToTheDeployment() {
        String credential = "sha256:0123456789abcdef0123456789abcdef";
        queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/paused", "main"), "p"));
        LlmPause pause = queue.recordPause("worker-a", credential, LlmLimitKind.RATE_LIMIT, Duration.ofMinutes(1));
        ClaimRequest request = ClaimRequest.of("worker-b", LEASE).withCredential(credential);
        CONVEX.calls(true);

        ClaimResult answer = queue.claimOne(request);

        JsonNode counted = CONVEX.calls(false);
        assertThat(answer.job()).isEmpty();
        assertThat(answer.pause()).contains(pause);
        List<String> functions = new ArrayList<>();
        counted.path("usage").fieldNames().forEachRemaining(functions::add);
        assertThat(functions)
                .as("what the worker needs to wait is in the claim's answer: no queue:getPause")
                .containsExactly("queue:claimOne");
        assertThat(counted.path("usage")
                        .path("queue:claimOne")
                        .path("transactions")
                        .asInt())
                .isEqualTo(1);
        assertThat(counted.path("calls").path("http").path("query").asInt()).isZero();
        assertThat(counted.path("calls").path("http").path("mutation").asInt()).isEqualTo(1);
    }

    @Test
    void aWebAppJobIsClonedFromItsRepositoryWithItsOwnersToken() {
        WebAppFixtures web = WebAppFixtures.seed(
                CONVEX, TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY), "acme/widgets", "develop");
        String id = web.createJobLikeTheWebApp(webApp, "Write a course");

        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();

        assertThat(job.id()).isEqualTo(id);
        assertThat(job.source()).isEqualTo(CloneSource.ofFullName("acme/widgets", "develop"));
        assertThat(job.source().cloneUrl("https://github.com")).isEqualTo("https://github.com/acme/widgets.git");
        GitCredentials credentials = queue.cloneCredentials(job).orElseThrow();
        assertThat(credentials.username()).isEqualTo(GitCredentials.GITHUB_TOKEN_USER);
        assertThat(credentials.password().reveal()).isEqualTo(TOKEN);
        assertThat(credentials.toString()).doesNotContain(TOKEN);

        JobSnapshot snapshot = queue.get(id).orElseThrow();
        assertThat(snapshot.source()).isEqualTo(job.source());
        assertThat(snapshot.toString()).doesNotContain(TOKEN);
        assertThat(webApp.query("queue:getJob", Map.of("jobId", id, "workerSecret", LocalConvexServer.WORKER_SECRET))
                        .toString())
                .doesNotContain(TOKEN);
    }

    @Test
    void aJobWithABareUrlHasNoCredentials() {
        queue.enqueue(JobSpec.of(CloneSource.ofUrl("https://git.example.invalid/acme/widgets.git", null), "p"));

        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();

        assertThat(queue.cloneCredentials(job)).isEmpty();
    }

    @Test
    void aJobWhoseRepositoryIsUnusableIsFailedAndTheNextOneClaimed() {
        WebAppFixtures web = WebAppFixtures.seed(CONVEX, null, "acme/widgets", "-bad..branch");
        String bad = web.createJobLikeTheWebApp(webApp, "bad");
        String good = queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/gadgets", "main"), "good"));

        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();

        assertThat(job.id()).isEqualTo(good);
        JobSnapshot failed = queue.get(bad).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.lastError()).startsWith("invalid job: branch '-bad..branch'");
    }

    @Test
    void documentsLargerThanOneCallAreSavedInSeveralCalls() {
        queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/widgets", "main"), "p"));
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        String content = "é".repeat(400 * 1024); // 800 KiB of UTF-8 each
        List<Document> documents = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> new Document(
                        "chapters/chapter_" + i + "_c.md", "Chapter " + i, i, DocumentKind.CHAPTER, content + i))
                .toList();
        assertThat(documents.stream().mapToLong(Document::contentBytes).sum())
                .as("more than the deployment accepts in one call")
                .isGreaterThan(8L * 1024 * 1024);

        long started = System.nanoTime();
        assertThat(queue.complete(job.lease(), new Completion(JobResult.of("12 documents", 12), documents, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);
        System.out.printf(
                "saved 12 documents (%.1f MiB) in %d ms%n",
                documents.stream().mapToLong(Document::contentBytes).sum() / 1048576.0,
                (System.nanoTime() - started) / 1_000_000);

        assertThat(queue.documents(job.id())).containsExactlyElementsOf(documents);
        assertThat(queue.get(job.id()).orElseThrow().documentCount()).isEqualTo(12);
    }

    @Test
    void depthCountsStopAtTheFunctionsLimitAndSayWhichAreCapped() {
        List<String> ids = IntStream.rangeClosed(1, 102)
                .mapToObj(i -> queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/widgets", "main"), "p" + i)))
                .toList();
        assertThat(ids).hasSize(102);
        queue.claimOne("worker-a", LEASE).orElseThrow();

        DepthCounts depth = queue.depth(Instant.now()).orElseThrow();

        assertThat(depth)
                .as("101 pending and due after the claim: counted as 100, at least")
                .isEqualTo(
                        new DepthCounts(100, 100, 1, 0, EnumSet.of(DepthCounts.Count.PENDING, DepthCounts.Count.DUE)));
        assertThat(depth.isCapped(DepthCounts.Count.RUNNING)).isFalse();
        assertThat(depth.workersWanted(4)).isEqualTo(26);
    }

    @Test
    void aDepthAnswerWithoutItsCountsIsAnError() {
        ObjectNode answer = JsonNodeFactory.instance
                .objectNode()
                .put("pending", 3)
                .put("due", 2)
                .put("running", 1);
        assertThatThrownBy(() -> HardenedProtocol.depthCounts(answer))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("'paused'");
        answer.put("paused", 0).putArray("capped").add("due");
        assertThat(HardenedProtocol.depthCounts(answer))
                .isEqualTo(new DepthCounts(3, 2, 1, 0, EnumSet.of(DepthCounts.Count.DUE)));
    }
}
