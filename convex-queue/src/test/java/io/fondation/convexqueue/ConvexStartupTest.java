package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.StubHttpServer;
import io.fondation.convexqueue.testing.StubHttpServer.Response;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.JobSpec;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad configuration stops start-up with a ConfigurationException naming the setting. */
class ConvexStartupTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static ConfigurationException connectFails(ConvexQueueSettings settings) {
        try {
            ConvexJobQueue.connect(settings, Clock.systemUTC()).close();
        } catch (ConfigurationException e) {
            return e;
        }
        throw new AssertionError("connect succeeded with " + settings);
    }

    @Test
    void connectsInHardenedModeWithTheRightSettings() {
        try (ConvexJobQueue queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url())
                        .withWorkerSecret(LocalConvexServer.WORKER_SECRET)
                        .withDeployKey(LocalConvexServer.ADMIN_KEY),
                Clock.systemUTC())) {
            assertThat(queue.mode()).isEqualTo(QueueMode.HARDENED);
            assertThat(queue.list(null, 5)).isEmpty();
            assertThat(queue.checkpointSupport()).isEqualTo(CheckpointSupport.SUPPORTED);
        }
    }

    @Test
    void hardenedFunctionsDeployedBeforeCheckpointsKeepNoneAndSaySo() {
        // Version 3 functions whose capabilities do not list "checkpoints" yet.
        try (StubHttpServer older = StubHttpServer.start(request -> switch (path(request.body())) {
                    case "queue:capabilities" ->
                        Response.success("{\"api\":\"fondation-queue\",\"version\":3,"
                                + "\"features\":[\"worker-secret\",\"lease-token\",\"attempts-started\"],"
                                + "\"limits\":{\"maxDocumentContentBytes\":921600,\"maxBatchContentBytes\":8388608,"
                                + "\"maxBatchFiles\":1000}}");
                    case "queue:listJobs" -> Response.success("[]");
                    default -> Response.json(500, "{}");
                });
                ConvexJobQueue queue = ConvexJobQueue.connect(
                        ConvexQueueSettings.of(older.url()).withWorkerSecret("test-secret"), Clock.systemUTC())) {
            CheckpointSupport support = queue.checkpointSupport();

            assertThat(support.supported()).isFalse();
            assertThat(support.reason())
                    .contains("predate checkpoints")
                    .contains("deploy convex-queue/convex")
                    .contains("reruns its analysis from the start");
            assertThatThrownBy(() -> queue.checkpoint("job-1"))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(support.reason());
        }
    }

    @Test
    void hardenedFunctionsDeployedBeforeFairClaimsAreSentNoneOfTheirArgumentsAndSaySo() {
        // Version 3 functions whose capabilities list none of issue 22's features: Convex would refuse an argument
        // they do not declare, so the client must not send one.
        try (StubHttpServer older = StubHttpServer.start(request -> switch (path(request.body())) {
                    case "queue:capabilities" ->
                        Response.success("{\"api\":\"fondation-queue\",\"version\":3,"
                                + "\"features\":[\"worker-secret\",\"lease-token\",\"attempts-started\"],"
                                + "\"limits\":{\"maxDocumentContentBytes\":921600,\"maxBatchContentBytes\":8388608,"
                                + "\"maxBatchFiles\":1000}}");
                    case "queue:listJobs" -> Response.success("[]");
                    case "queue:claimOne" -> Response.success("null");
                    case "queue:enqueue" -> Response.success("\"job-1\"");
                    default -> Response.json(500, "{}");
                });
                ConvexJobQueue queue = ConvexJobQueue.connect(
                        ConvexQueueSettings.of(older.url()).withWorkerSecret("test-secret"), Clock.systemUTC())) {
            FleetSupport support = queue.fleetSupport();
            assertThat(support.features()).isEmpty();
            assertThat(support.reason())
                    .contains("predate 'fair-claims', 'llm-pauses', 'cost-budgets'")
                    .contains("deploy convex-queue/convex");

            assertThat(queue.claimOne(ClaimRequest.of("worker-a", Duration.ofMinutes(5))
                            .withCredential("sha256:0123456789abcdef0123456789abcdef")
                            .withDefaultMaxCostUsd(new BigDecimal("1.00"))))
                    .as("nothing claimed, and no pause: these functions keep none")
                    .isEqualTo(ClaimResult.NONE);
            assertThat(queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/widgets", "main"), "p")
                            .withUser("user-a")
                            .withPriority(3)
                            .withMaxCostUsd(BigDecimal.ONE)))
                    .isEqualTo("job-1");
            assertThat(older.requests())
                    .map(StubHttpServer.Request::body)
                    .filteredOn(body ->
                            path(body).equals("queue:claimOne") || path(body).equals("queue:enqueue"))
                    .hasSize(2)
                    .allSatisfy(body -> assertThat(body)
                            .doesNotContain("credential")
                            .doesNotContain("maxCostUsd")
                            .doesNotContain("\"user\"")
                            .doesNotContain("priority"));
            assertThatThrownBy(() -> queue.pause("sha256:0123456789abcdef0123456789abcdef"))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(support.reason());
        }
    }

    @Test
    void pauseFunctionsThatPredateClaimAnswersAreNotSentAnswerPauseAndTheClientReadsThePauseItself() {
        // Functions with "llm-pauses" but not "claim-answers-pause": their claimOne declares no answerPause (Convex
        // would refuse it) and answers null when paused, without probe. The worker keeps its behaviour of before:
        // an empty claim reads the pause (queue:getPause), and a claimed job may be the probe.
        String credential = "sha256:0123456789abcdef0123456789abcdef";
        long until = System.currentTimeMillis() + 60_000;
        AtomicBoolean paused = new AtomicBoolean(true);
        try (StubHttpServer older = StubHttpServer.start(request -> switch (path(request.body())) {
                    case "queue:capabilities" ->
                        Response.success("{\"api\":\"fondation-queue\",\"version\":3,"
                                + "\"features\":[\"worker-secret\",\"lease-token\",\"attempts-started\","
                                + "\"fair-claims\",\"llm-pauses\",\"cost-budgets\"],"
                                + "\"limits\":{\"maxDocumentContentBytes\":921600,\"maxBatchContentBytes\":8388608,"
                                + "\"maxBatchFiles\":1000}}");
                    case "queue:listJobs" -> Response.success("[]");
                    case "queue:claimOne" ->
                        Response.success(
                                paused.get()
                                        ? "null"
                                        : "{\"id\":\"job-1\",\"prompt\":\"p\",\"callbackToken\":\"c\",\"attempts\":1,"
                                                + "\"maxAttempts\":3,\"leaseToken\":\"lease-1\",\"leaseUntil\":"
                                                + (System.currentTimeMillis() + 60_000)
                                                + ",\"source\":{\"fullName\":\"acme/widgets\"},\"userKey\":\"anonymous\","
                                                + "\"priority\":0,\"costUsd\":0}");
                    case "queue:getPause" ->
                        Response.success("{\"credential\":\"" + credential + "\",\"kind\":\"rate_limit\","
                                + "\"until\":" + until + ",\"resumesAt\":" + until + ",\"strikes\":1,\"since\":"
                                + (until - 60_000) + ",\"recordedBy\":\"w0\",\"updatedAt\":" + (until - 60_000) + "}");
                    default -> Response.json(500, "{}");
                });
                ConvexJobQueue queue = ConvexJobQueue.connect(
                        ConvexQueueSettings.of(older.url()).withWorkerSecret("test-secret"), Clock.systemUTC())) {
            ClaimRequest request =
                    ClaimRequest.of("worker-a", Duration.ofMinutes(5)).withCredential(credential);

            ClaimResult held = queue.claimOne(request);
            assertThat(held.job()).isEmpty();
            assertThat(held.pause().orElseThrow().resumesAt()).isEqualTo(Instant.ofEpochMilli(until));

            paused.set(false);
            ClaimedJob job = queue.claimOne(request).job().orElseThrow();
            assertThat(job.claimTerms().orElseThrow().probe())
                    .as("these functions cannot tell: the job may be the probe, so a success clears a spent pause")
                    .isTrue();
            assertThat(older.requests())
                    .map(StubHttpServer.Request::body)
                    .filteredOn(body -> path(body).equals("queue:claimOne"))
                    .hasSize(2)
                    .allSatisfy(body -> assertThat(body).contains("credential").doesNotContain("answerPause"));
            assertThat(older.requests())
                    .map(StubHttpServer.Request::body)
                    .filteredOn(body -> path(body).equals("queue:getPause"))
                    .as("read after the empty claim only")
                    .hasSize(1);
        }
    }

    @Test
    void aMalformedUrlNamesConvexUrl() {
        assertThatThrownBy(() -> ConvexQueueSettings.of("localhost:3210"))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("CONVEX_URL"));
        assertThatThrownBy(() -> ConvexQueueSettings.of("https://bad host"))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("CONVEX_URL"));
    }

    @Test
    void nothingListeningNamesConvexUrl() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ConfigurationException e =
                connectFails(ConvexQueueSettings.of("http://127.0.0.1:" + port).withWorkerSecret("test-secret"));

        assertThat(e.setting()).isEqualTo("CONVEX_URL");
        assertThat(e.getMessage())
                .contains("cannot reach the Convex deployment at http://127.0.0.1:" + port)
                .contains("connection refused");
    }

    @Test
    void aRefusedDeployKeyNamesConvexDeployKeyWithoutShowingIt() {
        ConfigurationException e = connectFails(ConvexQueueSettings.of(CONVEX.url())
                .withWorkerSecret(LocalConvexServer.WORKER_SECRET)
                .withDeployKey("wrong-deploy-key"));

        assertThat(e.setting()).isEqualTo("CONVEX_DEPLOY_KEY");
        assertThat(e.getMessage()).contains("401").contains("BadAdminKey").doesNotContain("wrong-deploy-key");
    }

    @Test
    void aMissingOrWrongWorkerSecretNamesFondationWorkerSecret() {
        ConfigurationException missing = connectFails(ConvexQueueSettings.of(CONVEX.url()));
        assertThat(missing.setting()).isEqualTo("FONDATION_WORKER_SECRET");
        assertThat(missing.getMessage()).contains("is required");

        ConfigurationException wrong =
                connectFails(ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret("not-the-secret"));
        assertThat(wrong.setting()).isEqualTo("FONDATION_WORKER_SECRET");
        assertThat(wrong.getMessage()).contains("does not match").doesNotContain("not-the-secret");
    }

    @Test
    void aDeploymentWithoutQueueFunctionsNamesConvexUrl() {
        // A Convex deployment with other functions: every path is unknown, as Convex reports it.
        try (StubHttpServer other = StubHttpServer.start(request -> Response.json(
                200,
                "{\"status\":\"error\","
                        + "\"errorMessage\":\"Could not find public function for '" + path(request.body())
                        + "'. Did you forget"
                        + " to run `npx convex dev` or `npx convex deploy`?\"}"))) {
            ConfigurationException e =
                    connectFails(ConvexQueueSettings.of(other.url()).withWorkerSecret("test-secret"));

            assertThat(e.setting()).isEqualTo("CONVEX_URL");
            assertThat(e.getMessage())
                    .isEqualTo("CONVEX_URL: deployment at " + other.url() + " has no Fondation queue"
                            + " functions (neither queue:capabilities nor queue:getMetrics); is it the right deployment?"
                            + " Deploy convex-queue/convex to it");
            assertThat(other.requests()).hasSize(2);
        }
    }

    @Test
    void aServerThatIsNotConvexNamesConvexUrl() {
        try (StubHttpServer web = StubHttpServer.start(request -> Response.json(404, "<html>Not Found</html>"))) {
            ConfigurationException e =
                    connectFails(ConvexQueueSettings.of(web.url()).withWorkerSecret("test-secret"));

            assertThat(e.setting()).isEqualTo("CONVEX_URL");
            assertThat(e.getMessage()).contains("does not answer like a Convex deployment (HTTP 404");
        }
    }

    private static String path(String body) {
        int start = body.indexOf("\"path\":\"") + 8;
        return body.substring(start, body.indexOf('"', start));
    }
}
