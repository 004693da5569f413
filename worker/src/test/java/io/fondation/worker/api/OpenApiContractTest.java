package io.fondation.worker.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/openapi.json} tells the truth: it describes exactly the routes the server has, and each route answers
 * with a status its description lists.
 */
class OpenApiContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options");

    @TempDir
    Path temp;

    @Test
    void everyRouteIsDescribedAndEveryDescribedOperationIsARoute() throws IOException {
        try (ApiServer server = ApiServer.start(temp, Map.of())) {
            JsonNode spec = JSON.readTree(server.get("/api/openapi.json").body());
            assertThat(spec.get("openapi").asText()).startsWith("3.");
            assertThat(new TreeSet<>(operations(spec)))
                    .as("the OpenAPI paths and methods")
                    .isEqualTo(new TreeSet<>(server.api.handler().routes()));
        }
    }

    @Test
    void everyRouteAnswersWithAStatusItsDescriptionLists() throws IOException {
        try (ApiServer server = ApiServer.start(temp, Map.of())) {
            JsonNode spec = JSON.readTree(server.get("/api/openapi.json").body());
            String id = JSON.readTree(server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\"}", null)
                            .body())
                    .get("id")
                    .asText();
            List<String> checked = new ArrayList<>();
            for (String operation : server.api.handler().routes()) {
                String method = operation.substring(0, operation.indexOf(' '));
                String template = operation.substring(operation.indexOf(' ') + 1);
                String path = template.replace("{id}", id).replace("{file}", "app.js");
                HttpResponse<String> response = method.equals("GET") || method.equals("DELETE")
                        ? server.send(HttpRequest.newBuilder(URI.create(server.base() + path))
                                .method(method, HttpRequest.BodyPublishers.noBody()))
                        : server.post(
                                path,
                                path.equals("/api/jobs") || path.equals("/execute")
                                        ? "{\"repositoryUrl\":\"owner/other\"}"
                                        : "{}",
                                null);
                JsonNode responses = spec.get("paths")
                        .get(template)
                        .get(method.toLowerCase())
                        .get("responses");
                assertThat(responses.has(Integer.toString(response.statusCode())))
                        .as(operation + " answered " + response.statusCode() + ": " + response.body())
                        .isTrue();
                if (response.statusCode() < 300
                        && response.headers()
                                .firstValue("Content-Type")
                                .orElse("")
                                .startsWith("application/json")) {
                    JsonNode declared = responses
                            .get(Integer.toString(response.statusCode()))
                            .get("content");
                    assertThat(declared.has("application/json")).as(operation).isTrue();
                    assertRequiredFields(
                            spec,
                            declared.get("application/json").get("schema"),
                            JSON.readTree(response.body()),
                            operation);
                }
                checked.add(operation);
            }
            assertThat(checked).hasSameSizeAs(server.api.handler().routes());
        }
    }

    @Test
    void aQueueThatCannotEnqueueOrListAnswers501WithItsReason() throws Exception {
        JobQueue legacy = new LegacyLikeQueue(SqliteJobQueue.open(temp.resolve("q.db"), Clock.systemUTC()));
        ApiSettings settings = new ApiSettings(true, null, null, 65536, "127.0.0.1", false, java.util.Set.of());
        HttpApi api = HttpApi.create(legacy, settings, Clock.systemUTC(), "convex");
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(api.handler())
                .build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> submit = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"repositoryUrl\":\"owner/name\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpApiTest.assertError(submit, 501, null, "enqueue needs the hardened Fondation queue functions");
            HttpResponse<String> list = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpApiTest.assertError(list, 501, null, "listing jobs needs the hardened");
        } finally {
            server.stop();
            api.close();
            legacy.close();
        }
    }

    private static List<String> operations(JsonNode spec) {
        List<String> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                if (METHODS.contains(method)) {
                    operations.add(method.toUpperCase() + " " + path.getKey());
                }
            }
        }
        return operations;
    }

    /** The fields a declared schema requires are in the answer (following $ref, one level of arrays). */
    private static void assertRequiredFields(JsonNode spec, JsonNode schema, JsonNode value, String operation) {
        JsonNode resolved = resolve(spec, schema);
        if (resolved.has("required")) {
            for (JsonNode name : resolved.get("required")) {
                assertThat(value.has(name.asText()))
                        .as(operation + " has " + name.asText())
                        .isTrue();
            }
        }
        if (resolved.has("properties")) {
            resolved.get("properties").fields().forEachRemaining(property -> {
                JsonNode child = value.get(property.getKey());
                JsonNode childSchema = resolve(spec, property.getValue());
                if (child != null && child.isArray() && childSchema.has("items") && child.size() > 0) {
                    assertRequiredFields(spec, childSchema.get("items"), child.get(0), operation);
                }
            });
        }
    }

    private static JsonNode resolve(JsonNode spec, JsonNode schema) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            return spec.get("components").get("schemas").get(name);
        }
        return schema;
    }

    /** A queue like Convex with only the legacy functions: it cannot enqueue or list. */
    private static final class LegacyLikeQueue implements JobQueue {
        private final JobQueue delegate;

        LegacyLikeQueue(JobQueue delegate) {
            this.delegate = delegate;
        }

        @Override
        public String enqueue(JobSpec spec) {
            throw new JobQueueException.Rejected("enqueue needs the hardened Fondation queue functions; the deployment"
                    + " has only the legacy ones (deploy convex-queue/convex to get them)");
        }

        @Override
        public List<JobSnapshot> list(JobStatus status, int limit) {
            throw new JobQueueException.Rejected("listing jobs needs the hardened Fondation queue functions");
        }

        @Override
        public java.util.Optional<io.fondation.shared.ClaimedJob> claimOne(String workerId, java.time.Duration lease) {
            return delegate.claimOne(workerId, lease);
        }

        @Override
        public io.fondation.shared.HeartbeatResult heartbeat(
                io.fondation.shared.JobLease lease,
                JobStatus phase,
                io.fondation.shared.Progress progress,
                java.time.Duration duration) {
            return delegate.heartbeat(lease, phase, progress, duration);
        }

        @Override
        public io.fondation.shared.CompleteOutcome complete(
                io.fondation.shared.JobLease lease, io.fondation.shared.Completion completion) {
            return delegate.complete(lease, completion);
        }

        @Override
        public io.fondation.shared.RetryDecision retryOrFail(
                io.fondation.shared.JobLease lease,
                io.fondation.shared.JobFailure failure,
                io.fondation.shared.Progress progress) {
            return delegate.retryOrFail(lease, failure, progress);
        }

        @Override
        public boolean release(io.fondation.shared.JobLease lease) {
            return delegate.release(lease);
        }

        @Override
        public boolean cancel(String jobId) {
            return delegate.cancel(jobId);
        }

        @Override
        public java.util.Optional<JobSnapshot> get(String jobId) {
            return delegate.get(jobId);
        }

        @Override
        public List<io.fondation.shared.Document> documents(String jobId) {
            return delegate.documents(jobId);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
