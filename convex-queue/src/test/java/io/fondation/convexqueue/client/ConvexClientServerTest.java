package io.fondation.convexqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fondation.convexqueue.testing.LocalConvexServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client against the real functions over real HTTP: values survive the official Convex codec
 * of the server ({@code jsonToConvex}/{@code convexToJson}), and every kind of error maps to its
 * exception.
 */
class ConvexClientServerTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final String SECRET = LocalConvexServer.WORKER_SECRET;

    private static ConvexClient client() {
        return ConvexClient.builder().url(CONVEX.url()).build();
    }

    private static Map<String, Object> enqueueArgs(String prompt, Object runAt) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("source", Map.of("fullName", "acme/widgets"));
        args.put("prompt", prompt);
        args.put("runAt", runAt);
        args.put("workerSecret", SECRET);
        return args;
    }

    @Test
    void stringsAndFloatsRoundTripThroughTheServer() {
        ConvexClient client = client();
        String prompt = "Étape 1/6 — “quotes”, emoji 🚀, NUL \u0000, backslash \\ and \"";
        double runAt = 1_767_225_600_123.5;

        String id = client.mutation("queue:enqueue", enqueueArgs(prompt, runAt)).asText();
        JsonNode job = client.query("queue:getJob", Map.of("jobId", id, "workerSecret", SECRET));

        assertThat(job.get("prompt").asText()).isEqualTo(prompt);
        assertThat(job.get("runAt").doubleValue()).isEqualTo(runAt);
        assertThat(job.get("source").get("fullName").asText()).isEqualTo("acme/widgets");
        assertThat(job.get("id").asText()).isEqualTo(id);
    }

    @Test
    void anInt64ReachesTheFunctionAsAnInt64() {
        // v.number() refuses an int64 5 and accepts a float64 5: {"$integer"} was decoded as a 64-bit integer.
        assertThatThrownBy(() -> client().query("queue:listJobs", Map.of("limit", 5L, "workerSecret", SECRET)))
                .isInstanceOfSatisfying(
                        ConvexFunctionException.class,
                        e -> assertThat(e.errorMessage())
                                .startsWith("ArgumentValidationError")
                                .contains("Expected `number`"));
        assertThat(client().query("queue:listJobs", Map.of("limit", 5.0, "workerSecret", SECRET))
                        .isArray())
                .isTrue();
    }

    @Test
    void specialFloatsReachTheFunctionAsThemselves() {
        for (double special : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            Map<String, Object> args = Map.of("workerId", "w", "leaseMs", special, "workerSecret", SECRET);
            String printed = Double.isNaN(special) ? "NaN" : special > 0 ? "Infinity" : "-Infinity";
            assertThatThrownBy(() -> client().mutation("queue:claimOne", args))
                    .isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
                        assertThat(e.errorCode()).contains("INVALID_ARGUMENT");
                        assertThat(e.errorData().get("message").asText()).endsWith("was " + printed);
                    });
        }
    }

    @Test
    void bytesAreAcceptedByTheServersCodecAndMalformedOnesAreABadJsonBody() {
        assertThatThrownBy(() ->
                        client().query("queue:getJob", Map.of("jobId", new byte[] {1, 2}, "workerSecret", SECRET)))
                .as("well-formed bytes decode, then fail the v.string() validator")
                .isInstanceOfSatisfying(
                        ConvexFunctionException.class,
                        e -> assertThat(e.errorMessage()).startsWith("ArgumentValidationError"));

        JsonNode malformed = JsonNodeFactory.instance.objectNode().put("$integer", "AQ==");
        assertThatThrownBy(() -> client().query("queue:getJob", Map.of("jobId", malformed, "workerSecret", SECRET)))
                .isInstanceOfSatisfying(ConvexRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("BadJsonBody");
                });
    }

    @Test
    void aConvexErrorCarriesItsData() {
        assertThatThrownBy(() -> client().query("queue:getJob", Map.of("jobId", "x", "workerSecret", "wrong-secret")))
                .isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
                    assertThat(e.errorCode()).contains("UNAUTHORIZED");
                    assertThat(e.errorData().get("message").asText()).contains("does not match");
                    assertThat(e.getMessage()).doesNotContain("wrong-secret");
                });
    }

    @Test
    void unknownFunctionsAndWrongEndpointsAreFunctionErrors() {
        assertThatThrownBy(() -> client().query("queue:noSuchFunction", Map.of()))
                .isInstanceOfSatisfying(
                        ConvexFunctionException.class,
                        e -> assertThat(e.isUnknownFunction()).isTrue());
        assertThatThrownBy(() -> client().query("queue:claimOne", Map.of("workerId", "w")))
                .isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
                    assertThat(e.isUnknownFunction()).isFalse();
                    assertThat(e.errorMessage()).contains("defined as Mutation");
                });
    }

    @Test
    void aMalformedFunctionPathIsABadIdentifier() {
        assertThatThrownBy(() -> client().query("queue:claim one", Map.of()))
                .isInstanceOfSatisfying(ConvexRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("BadConvexFunctionIdentifier");
                });
    }

    @Test
    void aBadAdminKeyIsRefusedAndTheRightOneOpensInternalFunctions() {
        ConvexClient wrongKey = ConvexClient.builder()
                .url(CONVEX.url())
                .deployKey("wrong-admin-key")
                .build();
        assertThatThrownBy(() -> wrongKey.query("queue:capabilities", Map.of()))
                .isInstanceOfSatisfying(ConvexRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.code()).isEqualTo("BadAdminKey");
                    assertThat(e.getMessage()).doesNotContain("wrong-admin-key");
                });

        assertThatThrownBy(() -> client().mutation("queue:reclaimExpired", Map.of()))
                .as("internal functions are hidden from non-admin callers")
                .isInstanceOfSatisfying(
                        ConvexFunctionException.class,
                        e -> assertThat(e.isUnknownFunction()).isTrue());
        ConvexClient admin = ConvexClient.builder()
                .url(CONVEX.url())
                .deployKey(LocalConvexServer.ADMIN_KEY)
                .build();
        assertThat(admin.mutation("queue:reclaimExpired", Map.of())
                        .get("reclaimed")
                        .doubleValue())
                .isZero();
    }
}
