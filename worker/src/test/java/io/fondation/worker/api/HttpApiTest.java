package io.fondation.worker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.ConfigurationException;
import io.fondation.worker.callback.WebhookReceiver;
import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.dryrun.FixtureRepository;
import io.fondation.worker.e2e.TestAnalyzer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API of a real worker on loopback: success, validation, auth, sizes, cancellation, the legacy /execute. */
class HttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode awaitStatus(ApiServer server, String id, String status) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> json(server.get("/api/jobs/" + id)).get("status").asText(),
                        s -> s.equals(status)
                                || (!status.equals(s)
                                        && List.of("completed", "failed", "dead", "canceled")
                                                .contains(s)));
        JsonNode job = json(server.get("/api/jobs/" + id));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo(status);
        return job;
    }

    @Test
    void aSubmittedRepositoryIsAnalysedAndItsDocumentsAndCourseAreServed() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of())) {
            HttpResponse<String> created =
                    server.post("/api/jobs", "{\"repositoryUrl\":" + quoted(repository.toString()) + "}", null);

            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode job = json(created);
            String id = job.get("id").asText();
            assertThat(created.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
            assertThat(job.get("repository").asText()).isEqualTo(repository.toString());
            assertThat(job.get("links").get("course").asText()).isEqualTo("/ui/jobs/" + id);
            assertThat(created.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(
                            csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));

            JsonNode done = awaitStatus(server, id, "completed");
            assertThat(done.get("progress").get("step").asInt()).isEqualTo(6);
            assertThat(done.get("attempts").asInt()).isEqualTo(1);
            assertThat(done.get("documentCount").asInt()).isPositive();

            JsonNode listed = json(server.get("/api/jobs"));
            assertThat(listed.get("jobs").findValuesAsText("id")).contains(id);
            assertThat(json(server.get("/api/jobs?status=completed&limit=5"))
                            .get("jobs")
                            .findValuesAsText("id"))
                    .contains(id);

            JsonNode docs = json(server.get("/api/jobs/" + id + "/docs"));
            List<String> slugs = docs.get("documents").findValuesAsText("slug");
            assertThat(slugs).hasSize(done.get("documentCount").asInt());
            assertThat(slugs.get(0)).isEqualTo("step1_abstractions.yaml");
            assertThat(slugs).anyMatch(s -> s.startsWith("chapters/chapter_1_"));

            HttpResponse<String> course = server.get("/ui/jobs/" + id);
            assertThat(course.statusCode()).isEqualTo(200);
            assertThat(course.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(course.body())
                    .contains("<h1>Chapter 1:")
                    .contains("Tutorials")
                    .doesNotContain("<script");
        }
    }

    @Test
    void invalidInputIsRefusedWith400NamingTheField() throws IOException {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of())) {
            assertError(server.post("/api/jobs", "{}", null), 400, "repositoryUrl", "repositoryUrl is required");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\": 12}", null),
                    400,
                    "repositoryUrl",
                    "must be a string");
            assertError(server.post("/api/jobs", "not json", null), 400, null, "the body is not valid JSON");
            assertError(server.post("/api/jobs", "[1]", null), 400, null, "the body must be a JSON object");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"colour\":\"red\"}", null),
                    400,
                    "colour",
                    "unknown field 'colour'; accepted: branch, prompt, repositoryUrl");
            HttpResponse<String> credentials = server.post(
                    "/api/jobs", "{\"repositoryUrl\":\"https://user:hunter2-secret@github.com/o/r.git\"}", null);
            assertError(credentials, 400, "repositoryUrl", "must not contain credentials");
            assertThat(credentials.body()).contains("GITHUB_TOKEN").doesNotContain("hunter2");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"ext::sh -c touch% /tmp/pwned\"}", null),
                    400,
                    "repositoryUrl",
                    "not supported");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"branch\":\"--upload-pack=x\"}", null),
                    400,
                    "branch",
                    "not a valid git branch name");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"relative/dir/x\"}", null),
                    400,
                    "repositoryUrl",
                    "not a URL, owner/name or absolute path");
            assertError(
                    server.post(
                            "/api/jobs",
                            "{\"repositoryUrl\":\"owner/name\",\"prompt\":" + quoted("x".repeat(10_001)) + "}",
                            null),
                    400,
                    "prompt",
                    "at most 10000");
            assertError(server.get("/api/jobs?status=sleeping"), 400, "status", "unknown job status 'sleeping'");
            assertError(server.get("/api/jobs?limit=0"), 400, "limit", "must be from 1 to 200");
            assertError(server.get("/api/jobs/no-such-job"), 404, null, "no job no-such-job");
            assertError(server.get("/api/nothing-here"), 404, null, "no such page or endpoint");

            HttpResponse<String> form = server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("repositoryUrl=owner/name")));
            assertError(form, 415, null, "Content-Type: application/json");
            HttpResponse<String> crossSite = server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"repositoryUrl\":\"owner/name\"}")));
            assertError(crossSite, 403, null, "another origin");
            HttpResponse<String> delete = server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs"))
                    .DELETE());
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.headers().firstValue("Allow")).hasValue("GET, POST");

            assertThat(rawStatus(
                            server.port, "GET /api/jobs HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"))
                    .as("a loopback server answers only requests for a loopback name (no DNS rebinding)")
                    .isEqualTo(403);
            assertThat(json(server.get("/api/jobs")).get("jobs"))
                    .as("nothing was queued")
                    .isEmpty();
            assertThat(repository).exists();
        }
    }

    @Test
    void localRepositoriesAreRefusedUnlessAllowed() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of("ALLOW_LOCAL_REPOSITORIES", "false"))) {
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":" + quoted(repository.toString()) + "}", null),
                    400,
                    "repositoryUrl",
                    "local repositories are not accepted here (ALLOW_LOCAL_REPOSITORIES is false)");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":" + quoted("file://" + repository) + "}", null),
                    400,
                    "repositoryUrl",
                    "ALLOW_LOCAL_REPOSITORIES");
            assertThat(json(server.get("/api/info"))
                            .get("allowLocalRepositories")
                            .asBoolean())
                    .isFalse();
        }
    }

    @Test
    void withATokenEveryChangeNeedsItAndReadsStayOpen() {
        try (ApiServer server = ApiServer.start(temp, Map.of("API_TOKEN", ApiServer.TOKEN))) {
            HttpResponse<String> missing = server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\"}", null);
            assertError(missing, 401, null, "Authorization: Bearer <API_TOKEN>");
            assertThat(missing.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\"}", "wrong-token-wrong-token"),
                    401,
                    null,
                    "the API token is wrong");
            assertError(server.post("/api/jobs/x/cancel", "{}", null), 401, null, "API token");
            assertError(server.post("/execute", "{\"repositoryUrl\":\"owner/name\"}", null), 401, null, "API token");
            assertThat(server.get("/api/jobs").statusCode()).isEqualTo(200);
            assertThat(json(server.get("/api/info")).get("authRequired").asBoolean())
                    .isTrue();

            HttpResponse<String> created =
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"branch\":\"main\"}", ApiServer.TOKEN);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(json(created).get("branch").asText()).isEqualTo("main");
            assertThat(created.body()).doesNotContain(ApiServer.TOKEN);
        }
    }

    @Test
    void oversizedBodiesGet413() {
        try (ApiServer server = ApiServer.start(temp, Map.of("API_MAX_BODY_BYTES", "1024"))) {
            String big = "{\"repositoryUrl\":\"owner/name\",\"prompt\":" + quoted("p".repeat(2000)) + "}";
            assertError(
                    server.post("/api/jobs", big, null),
                    413,
                    null,
                    "at most 1024 bytes are accepted (API_MAX_BODY_BYTES)");
            assertThat(rawStatus(
                            server.port,
                            "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                    + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n"))
                    .as("a chunked body without a length is cut at the limit too")
                    .isEqualTo(413);
            assertThat(json(server.get("/api/jobs")).get("jobs")).isEmpty();
        }
    }

    @Test
    void aRunningJobIsCanceledAndItsAnalyzerStopped() throws IOException {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        Path analyzer = TestAnalyzer.install(temp.resolve("bin"));
        Path signals = Files.createDirectories(temp.resolve("signals"));
        Path pidFile = signals.resolve("analyzer.pid");
        try (ApiServer server = ApiServer.start(
                temp,
                Map.of(
                        "ANALYZER",
                        "command",
                        "ANALYZER_COMMAND",
                        TestAnalyzer.commandJson(analyzer),
                        "ANALYZER_WRITABLE_DIRS",
                        signals.toString()))) {
            HttpResponse<String> created = server.post(
                    "/api/jobs",
                    "{\"repositoryUrl\":" + quoted(repository.toString()) + ",\"prompt\":" + quoted("block " + pidFile)
                            + "}",
                    null);
            String id = json(created).get("id").asText();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(pidFile)
                            && json(server.get("/api/jobs/" + id))
                                    .get("status")
                                    .asText()
                                    .equals("analyzing"));
            long pid = TestAnalyzer.hostPid(pidFile);

            HttpResponse<String> canceled = server.post("/api/jobs/" + id + "/cancel", "{}", null);

            assertThat(canceled.statusCode()).as(canceled.body()).isEqualTo(200);
            assertThat(json(canceled).get("status").asText()).isEqualTo("canceled");
            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertThat(json(server.get("/api/jobs/" + id)).get("status").asText())
                    .isEqualTo("canceled");
            assertError(server.post("/api/jobs/" + id + "/cancel", "", null), 409, null, "already ended (canceled)");
            assertError(server.get("/api/jobs/" + id + "/docs"), 409, null, "is canceled; its documents exist once");
            assertError(server.post("/api/jobs/unknown-job/cancel", "{}", null), 404, null, "no job unknown-job");
        }
    }

    @Test
    void theLegacyExecutePayloadIsQueuedAndReportedToItsCallback() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of());
                WebhookReceiver receiver = WebhookReceiver.start()) {
            String body = "{\"jobId\":\"legacy-7\",\"repositoryUrl\":" + quoted(repository.toString())
                    + ",\"callbackUrl\":" + quoted(receiver.url()) + ",\"callbackToken\":\"fake-callback-token-0007\"}";

            HttpResponse<String> accepted = server.post("/execute", body, null);

            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            JsonNode answer = json(accepted);
            assertThat(answer.get("jobId").asText()).isEqualTo("legacy-7");
            assertThat(answer.get("callbacks").asBoolean()).isTrue();
            String id = answer.get("id").asText();
            assertThat(json(server.post(
                                    "/execute",
                                    "{\"jobId\":\"legacy-7\",\"repositoryUrl\":" + quoted(repository.toString()) + "}",
                                    null))
                            .get("id")
                            .asText())
                    .as("the caller's job id is the dedupe key")
                    .isEqualTo(id);

            WebhookReceiver.Received complete = receiver.awaitAccepted("complete", Duration.ofSeconds(90));
            assertThat(complete.token()).isEqualTo("fake-callback-token-0007");
            assertThat(complete.body().get("jobId").asText()).isEqualTo("legacy-7");
            assertThat(complete.body().get("filesCount").asInt())
                    .isEqualTo(json(server.get("/api/jobs/" + id))
                            .get("documentCount")
                            .asInt());
            assertThat(receiver.accepted())
                    .extracting(WebhookReceiver.Received::type)
                    .startsWith("progress");
            assertThat(receiver.accepted().get(receiver.accepted().size() - 1).type())
                    .isEqualTo("complete");

            assertError(
                    server.post("/execute", "{\"repositoryUrl\":\"owner/name\",\"githubToken\":\"ghp_fake\"}", null),
                    400,
                    "githubToken",
                    "tokens are not accepted in requests");
            assertError(
                    server.post("/execute", "{\"repositoryUrl\":\"owner/name\",\"callbackUrl\":\"ftp://x/y\"}", null),
                    400,
                    "callbackUrl",
                    "not supported");
        }
    }

    @Test
    void theApiRefusesToListenBeyondLoopbackWithoutAToken() {
        Map<String, String> env = Map.of(
                "HTTP_API", "true",
                "HEALTH_HOST", "0.0.0.0",
                "EMBEDDED_DB_PATH", temp.resolve("q.db").toString());
        assertThatThrownBy(() -> ApiSettings.load(env, WorkerConfigLoader.load(env), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("API_TOKEN: required: the HTTP API would listen on 0.0.0.0, beyond loopback");
        Map<String, String> noPort = Map.of("HTTP_API", "true", "HEALTH_PORT", "-1");
        assertThatThrownBy(() -> ApiSettings.load(noPort, WorkerConfigLoader.load(noPort), false))
                .hasMessageStartingWith(
                        "HTTP_API: the API is served on the health server's port, and HEALTH_PORT is -1");
        Map<String, String> off = Map.of("HEALTH_HOST", "0.0.0.0");
        assertThat(ApiSettings.load(off, WorkerConfigLoader.load(off), false).enabled())
                .isFalse();
    }

    static void assertError(HttpResponse<String> response, int status, String field, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).contains(message);
        if (field == null) {
            assertThat(body.has("field")).as(body.toString()).isFalse();
        } else {
            assertThat(body.get("field").asText()).isEqualTo(field);
        }
    }

    /** Sends a raw HTTP/1.1 request (for headers the JDK client will not set) and returns the status code. */
    static int rawStatus(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
