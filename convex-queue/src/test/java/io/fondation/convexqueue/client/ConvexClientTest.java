package io.fondation.convexqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.testing.StubHttpServer;
import io.fondation.convexqueue.testing.StubHttpServer.Request;
import io.fondation.convexqueue.testing.StubHttpServer.Response;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a local HTTP stub: request shape, response decoding, error mapping, retries. */
class ConvexClientTest {

    private static final String KEY = "test-deploy-key";
    private StubHttpServer stub;

    @AfterEach
    void stopStub() {
        if (stub != null) {
            stub.close();
        }
    }

    private ConvexClient client(StubHttpServer server) {
        return ConvexClient.builder()
                .url(server.url())
                .deployKey(KEY)
                .requestTimeout(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .build();
    }

    @Test
    void theVersionIsTheBuildsNotAHardCodedOne() {
        String projectVersion = System.getProperty("fondation.project.version");
        assertThat(projectVersion).as("set by the build (surefire)").isNotBlank();
        assertThat(ConvexClient.version()).isEqualTo(projectVersion.replace("-SNAPSHOT", ""));
        assertThat(ConvexClient.builder().url("http://127.0.0.1:1").build().clientHeader())
                .isEqualTo("fondation-java-" + projectVersion.replace("-SNAPSHOT", ""));
    }

    @Test
    void sendsThePathEncodedArgsFormatAndHeaders() throws Exception {
        stub = StubHttpServer.start(
                r -> Response.success("{\"n\":{\"$integer\":\"AQAAAAAAAAA=\"},\"b\":{\"$bytes\":\"AQ==\"}}"));
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("workerId", "w-1");
        args.put("count", 2L);

        JsonNode value = client(stub).mutation("queue:claimOne", args);

        Request request = stub.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/mutation");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isEqualTo("Convex " + KEY);
        assertThat(request.header("Convex-Client")).matches("fondation-java-\\d+\\.\\d+\\.\\d+.*");
        JsonNode body = ConvexValues.mapper().readTree(request.body());
        assertThat(body.get("path").asText()).isEqualTo("queue:claimOne");
        assertThat(body.get("format").asText()).isEqualTo("convex_encoded_json");
        assertThat(body.get("args").toString())
                .isEqualTo("{\"workerId\":\"w-1\",\"count\":{\"$integer\":\"AgAAAAAAAAA=\"}}");
        assertThat(value.get("n").isLong()).isTrue();
        assertThat(value.get("n").longValue()).isEqualTo(1L);
        assertThat(value.get("b").binaryValue()).containsExactly(1);
    }

    @Test
    void queryAndActionUseTheirEndpointsAndBearerTokensTheirHeader() {
        stub = StubHttpServer.start(r -> Response.success("null"));
        ConvexClient client = ConvexClient.builder()
                .url(stub.url() + "/")
                .bearerToken("jwt-for-test")
                .build();

        assertThat(client.query("queue:getJob", null).isNull()).isTrue();
        client.action("files:fetch", Map.of());

        assertThat(stub.requests()).extracting(Request::path).containsExactly("/api/query", "/api/action");
        assertThat(stub.requests().get(0).header("Authorization")).isEqualTo("Bearer jwt-for-test");
        assertThat(stub.requests().get(0).body()).contains("\"args\":{}");
    }

    @Test
    void aPathInTheDeploymentUrlIsKept() {
        stub = StubHttpServer.start(r -> Response.success("1"));
        ConvexClient.builder().url(stub.url() + "/convex/").build().mutation("a:b", Map.of());
        assertThat(stub.requests().get(0).path()).isEqualTo("/convex/api/mutation");
    }

    @Test
    void withoutCredentialsNoAuthorizationHeaderIsSent() {
        stub = StubHttpServer.start(r -> Response.success("1"));
        ConvexClient.builder().url(stub.url()).build().query("a:b", Map.of());
        assertThat(stub.requests().get(0).header("Authorization")).isNull();
    }

    @Test
    void functionErrorsWith200Or560CarryMessageAndData() {
        String body = "{\"status\":\"error\",\"errorMessage\":\"Uncaught ConvexError: lease lost\","
                + "\"errorData\":{\"code\":\"LEASE_LOST\",\"attempts\":{\"$integer\":\"AgAAAAAAAAA=\"}}}";
        for (int status : new int[] {200, 560}) {
            stub = StubHttpServer.start(r -> Response.json(status, body));
            ConvexClient client = client(stub);

            assertThatThrownBy(() -> client.query("queue:heartbeat", Map.of()))
                    .isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
                        assertThat(e.functionPath()).isEqualTo("queue:heartbeat");
                        assertThat(e.errorMessage()).isEqualTo("Uncaught ConvexError: lease lost");
                        assertThat(e.errorCode()).contains("LEASE_LOST");
                        assertThat(e.errorData().get("attempts").longValue()).isEqualTo(2L);
                        assertThat(e.isUnknownFunction()).isFalse();
                    });
            assertThat(stub.requests()).as("a function error is never retried").hasSize(1);
            stub.close();
        }
        stub = null;
    }

    @Test
    void requestErrorsCarryStatusAndCode() {
        stub = StubHttpServer.start(r -> Response.json(
                401,
                "{\"code\":\"BadAdminKey\",\"message\":\"The provided admin key was invalid for this instance\"}"));

        assertThatThrownBy(() -> client(stub).query("queue:getJob", Map.of()))
                .isInstanceOfSatisfying(ConvexRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.code()).isEqualTo("BadAdminKey");
                    assertThat(e.isAuthenticationFailure()).isTrue();
                    assertThat(e.getMessage()).contains("BadAdminKey").doesNotContain(KEY);
                });
        assertThat(stub.requests()).as("a refused request is never retried").hasSize(1);

        stub.answer(r -> Response.json(404, "<html>not here</html>"));
        assertThatThrownBy(() -> client(stub).query("queue:getJob", Map.of()))
                .isInstanceOfSatisfying(ConvexRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("HTTP_404");
                    assertThat(e.getMessage()).contains("not here");
                });
    }

    @Test
    void aNonConvexAnswerIsAClearRequestError() {
        stub = StubHttpServer.start(r -> Response.json(200, "<html>captive portal</html>"));
        assertThatThrownBy(() -> client(stub).query("queue:getJob", Map.of()))
                .isInstanceOf(ConvexRequestException.class)
                .hasMessageContaining("is this a Convex deployment URL?");
    }

    @Test
    void queriesAreRetriedOnServerErrorsUntilTheySucceed() {
        AtomicInteger calls = new AtomicInteger();
        stub = StubHttpServer.start(r -> calls.incrementAndGet() <= 2
                ? Response.json(503, "{\"code\":\"Overloaded\",\"message\":\"try later\"}")
                : Response.success("\"ok\""));

        assertThat(client(stub).query("queue:getJob", Map.of()).asText()).isEqualTo("ok");
        assertThat(stub.requests()).hasSize(3);
    }

    @Test
    void nonIdempotentMutationsAreNotRetried() {
        stub = StubHttpServer.start(r -> Response.json(503, "{}"));

        assertThatThrownBy(() -> client(stub).mutation("queue:retryOrFail", Map.of()))
                .isInstanceOfSatisfying(ConvexTransportException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(stub.requests()).hasSize(1);

        assertThatThrownBy(() -> client(stub).action("x:y", Map.of())).isInstanceOf(ConvexTransportException.class);
        assertThat(stub.requests()).as("actions are not retried either").hasSize(2);
    }

    @Test
    void idempotentMutationsAreRetriedUpToMaxAttempts() {
        AtomicInteger calls = new AtomicInteger();
        stub = StubHttpServer.start(
                r -> calls.incrementAndGet() == 1 ? Response.json(502, "") : Response.success("true"));

        assertThat(client(stub)
                        .mutation("queue:heartbeat", Map.of(), Idempotence.IDEMPOTENT)
                        .asBoolean())
                .isTrue();
        assertThat(stub.requests()).hasSize(2);

        stub.answer(r -> Response.json(503, ""));
        ConvexClient fourTries = client(stub).toBuilder().maxAttempts(4).build();
        assertThatThrownBy(() -> fourTries.mutation("queue:heartbeat", Map.of(), Idempotence.IDEMPOTENT))
                .isInstanceOf(ConvexTransportException.class)
                .hasMessageContaining("503");
        assertThat(stub.requests()).hasSize(2 + 4);
    }

    @Test
    void connectionRefusedIsATransportError() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ConvexClient client = ConvexClient.builder()
                .url("http://127.0.0.1:" + port)
                .maxAttempts(2)
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
                .build();

        assertThatThrownBy(() -> client.query("queue:getJob", Map.of()))
                .isInstanceOfSatisfying(ConvexTransportException.class, e -> {
                    assertThat(e.httpStatus()).isZero();
                    assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("queue:getJob");
                });
    }

    @Test
    void aSlowDeploymentTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        stub = StubHttpServer.start(r -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Response.success("1");
        });
        ConvexClient client = ConvexClient.builder()
                .url(stub.url())
                .requestTimeout(Duration.ofMillis(200))
                .build();
        try {
            assertThatThrownBy(() -> client.mutation("queue:claimOne", Map.of()))
                    .isInstanceOf(ConvexTransportException.class)
                    .hasMessageContaining("within 200 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void secretsNeverAppearInErrors() {
        String secret = "worker-secret-for-test";
        stub = StubHttpServer.start(r -> Response.json(
                200,
                "{\"status\":\"error\",\"errorMessage\":"
                        + "\"ArgumentValidationError: Object contains extra field `x`. Object: {workerSecret: \\\""
                        + secret
                        + "\\\", key: \\\"" + KEY + "\\\"}\",\"errorData\":{\"echo\":\"" + secret + "\"}}"));
        Map<String, Object> args = Map.of("workerSecret", secret, "x", 1);

        assertThatThrownBy(() -> client(stub).mutation("queue:claimOne", args))
                .isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
                    assertThat(e.getMessage())
                            .doesNotContain(secret)
                            .doesNotContain(KEY)
                            .contains("[redacted]");
                    assertThat(e.errorMessage()).doesNotContain(secret).doesNotContain(KEY);
                    assertThat(e.errorData().get("echo").asText()).isEqualTo("[redacted]");
                });
        assertThat(client(stub).toString()).doesNotContain(KEY);
    }

    @Test
    void badSettingsAreRefusedClearly() {
        assertThatThrownBy(() -> ConvexClient.builder().url("not a url"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid URL");
        assertThatThrownBy(() -> ConvexClient.builder().url("ftp://example.invalid"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http(s)");
        assertThatThrownBy(() -> ConvexClient.builder().url("https://user:hunter2@example.invalid"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConvexClient.builder().url("https://example.invalid/?key=abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query");
        assertThatThrownBy(() -> ConvexClient.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("URL is required");
        assertThatThrownBy(() -> ConvexClient.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvexClient.builder().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        ConvexClient.builder().url("http://127.0.0.1:1").build().query(" ", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path");
        assertThatThrownBy(() ->
                        ConvexClient.builder().url("http://127.0.0.1:1").build().query("a:b", List.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an object");
    }

    @Test
    void oneHttpConnectionIsReusedAcrossCalls() {
        stub = StubHttpServer.start(r -> Response.success("1"));
        ConvexClient client = client(stub);
        for (int i = 0; i < 20; i++) {
            client.query("a:b", Map.of());
        }
        assertThat(stub.requests()).hasSize(20);
        assertThat(stub.requests())
                .extracting(Request::clientPort)
                .as("client ports of 20 sequential calls")
                .containsOnly(stub.requests().get(0).clientPort());
    }
}
