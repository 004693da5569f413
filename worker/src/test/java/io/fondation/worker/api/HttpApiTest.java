package io.fondation.worker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.dryrun.FixtureRepository;
import io.fondation.http.callback.WebhookReceiver;
import io.fondation.shared.ConfigurationException;
import io.fondation.worker.config.ApiSettingsLoader;
import io.fondation.worker.config.WorkerConfigLoader;
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
    void aJobCarriesItsUserPriorityAndCostCapAndShowsWhatItCost() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of())) {
            HttpResponse<String> created = server.post(
                    "/api/jobs",
                    "{\"repositoryUrl\":" + quoted(repository.toString())
                            + ",\"userId\":\"team-a\",\"priority\":7,\"maxCostUsd\":1.5}",
                    null);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode job = json(created);
            assertThat(job.get("userId").asText()).isEqualTo("team-a");
            assertThat(job.get("priority").asInt()).isEqualTo(7);
            assertThat(job.get("maxCostUsd").decimalValue()).isEqualByComparingTo("1.5");
            assertThat(job.get("costUsd").decimalValue()).isEqualByComparingTo("0");

            HttpResponse<String> plain =
                    server.post("/api/jobs", "{\"repositoryUrl\":" + quoted(repository.toString()) + "}", null);
            assertThat(json(plain).get("userId").asText())
                    .as("a job without a user shares the anonymous user's turn")
                    .isEqualTo("anonymous");
            assertThat(json(plain).get("maxCostUsd").isNull()).isTrue();
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
                    "unknown field 'colour'; accepted: branch, maxCostUsd, priority, prompt, repositoryUrl, userId");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"priority\":1001}", null),
                    400,
                    "priority",
                    "priority must be from -1000 to 1000");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"priority\":1.5}", null),
                    400,
                    "priority",
                    "whole number");
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"maxCostUsd\":-1}", null),
                    400,
                    "maxCostUsd",
                    "from 0 to 1000000");
            assertError(
                    server.post(
                            "/api/jobs",
                            "{\"repositoryUrl\":\"owner/name\",\"userId\":" + quoted("u".repeat(201)) + "}",
                            null),
                    400,
                    "userId",
                    "1 to 200 characters");
            HttpResponse<String> credentials = server.post(
                    "/api/jobs", "{\"repositoryUrl\":\"https://user:hunter2-secret@github.com/o/r.git\"}", null);
            assertError(credentials, 400, "repositoryUrl", "must not contain credentials");
            assertThat(credentials.body()).contains("GITHUB_TOKEN").doesNotContain("hunter2");
            String token = "ghp_" + "FAKE0123456789abcdefFAKE";
            for (String route : List.of("/api/jobs", "/execute")) {
                HttpResponse<String> tokenInPath = server.post(
                        route, "{\"repositoryUrl\":" + quoted("http://127.0.0.1:1/" + token + "/x.git") + "}", null);
                assertError(tokenInPath, 400, "repositoryUrl", "must not contain credentials");
                assertThat(tokenInPath.body()).as(route).doesNotContain(token).contains("GITHUB_TOKEN");
            }
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

    static final List<String> REBINDING_HOSTS =
            List.of("127.0.0.1.evil.example", "127.evil.example", "127.0.0.1evil", "localhost.evil");
    static final List<String> GET_ROUTES = List.of(
            "/health",
            "/health/live",
            "/health/ready",
            "/metrics",
            "/metrics/prometheus",
            "/",
            "/ui/",
            "/ui/app.js",
            "/ui/jobs/some-job",
            "/api/info",
            "/api/openapi.json",
            "/api/jobs",
            "/api/jobs/some-job",
            "/api/jobs/some-job/docs");
    static final List<String> POST_ROUTES = List.of("/api/jobs", "/api/jobs/some-job/cancel", "/execute");

    @Test
    void rebindingHostsAndForeignOriginsAreRefusedOnEveryRoute() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        try (ApiServer server = ApiServer.start(temp, Map.of("HEALTH_ALLOWED_HOSTS", "worker.example.test"))) {
            String body = "{\"repositoryUrl\":" + quoted(repository.toString()) + "}";
            for (String host : REBINDING_HOSTS) {
                for (String path : GET_ROUTES) {
                    assertThat(rawStatus(
                                    server.port,
                                    "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + server.port
                                            + "\r\nConnection: close\r\n\r\n"))
                            .as("GET " + path + " for Host " + host)
                            .isEqualTo(403);
                }
                for (String path : POST_ROUTES) {
                    assertThat(rawStatus(
                                    server.port,
                                    post(path, host + ":" + server.port, "http://" + host + ":" + server.port, body)))
                            .as("POST " + path + " for Host " + host + " with its own Origin")
                            .isEqualTo(403);
                }
            }
            String loopback = "127.0.0.1:" + server.port;
            for (String path : POST_ROUTES) {
                assertThat(rawStatus(server.port, post(path, loopback, "http://evil.example", body)))
                        .as("POST " + path + " from another origin")
                        .isEqualTo(403);
            }
            assertThat(rawStatus(
                            server.port,
                            "GET /api/jobs HTTP/1.1\r\nHost: " + loopback
                                    + "\r\nOrigin: http://127.0.0.1.evil.example:" + server.port
                                    + "\r\nConnection: close\r\n\r\n"))
                    .as("a read from another origin")
                    .isEqualTo(403);
            for (String host : List.of("127.0.0.1", "localhost", "[::1]", "worker.example.test")) {
                for (String path : List.of("/health", "/metrics", "/api/jobs", "/ui/")) {
                    assertThat(rawStatus(
                                    server.port,
                                    "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + server.port
                                            + "\r\nConnection: close\r\n\r\n"))
                            .as("GET " + path + " for Host " + host)
                            .isEqualTo(200);
                }
            }
            assertThat(json(server.get("/api/jobs")).get("jobs"))
                    .as("nothing was queued")
                    .isEmpty();
        }
    }

    @Test
    void aHealthHostThatOnlyStartsLikeLoopbackIsNotLoopback() {
        Map<String, String> env = Map.of(
                "HTTP_API", "true",
                "HEALTH_HOST", "127.evil.example",
                "EMBEDDED_DB_PATH", temp.resolve("q.db").toString());
        assertThatThrownBy(() -> ApiSettingsLoader.load(env, WorkerConfigLoader.load(env), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("API_TOKEN: required: the HTTP API would listen on 127.evil.example");
    }

    static String post(String path, String host, String origin, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
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
    void withATokenEveryReadAndChangeNeedsItAndTheReadOnlyTokenOnlyReads() {
        try (ApiServer server =
                ApiServer.start(temp, Map.of("API_TOKEN", ApiServer.TOKEN, "API_READ_TOKEN", ApiServer.READ_TOKEN))) {
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
            assertError(
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\"}", ApiServer.READ_TOKEN),
                    403,
                    null,
                    "the read-only token (API_READ_TOKEN) cannot change anything");
            JsonNode info = json(server.get("/api/info"));
            assertThat(info.get("authRequired").asBoolean()).isTrue();
            assertThat(info.get("access").asText()).isEqualTo("none");

            HttpResponse<String> created =
                    server.post("/api/jobs", "{\"repositoryUrl\":\"owner/name\",\"branch\":\"main\"}", ApiServer.TOKEN);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(json(created).get("branch").asText()).isEqualTo("main");
            assertThat(created.body()).doesNotContain(ApiServer.TOKEN);
            String id = json(created).get("id").asText();

            for (String read : List.of("/api/jobs", "/api/jobs/" + id, "/api/jobs/" + id + "/docs")) {
                assertError(server.get(read), 401, null, "reading jobs needs the API token");
                assertThat(server.get(read, ApiServer.READ_TOKEN).statusCode())
                        .as(read + " with the read-only token")
                        .isIn(200, 409);
                assertThat(server.get(read, ApiServer.TOKEN).statusCode())
                        .as(read)
                        .isIn(200, 409);
            }
            HttpResponse<String> page = server.get("/ui/jobs/" + id);
            assertThat(page.statusCode()).isEqualTo(401);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("Sign in on the status page").doesNotContain("owner/name");
            assertThat(server.get("/ui/").statusCode())
                    .as("the page itself is public")
                    .isEqualTo(200);
            assertThat(server.get("/api/openapi.json").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void thePageSignsInWithTheTokenInABodyAndKeepsOnlyAnHttpOnlyStrictCookie() {
        try (ApiServer server =
                ApiServer.start(temp, Map.of("API_TOKEN", ApiServer.TOKEN, "API_READ_TOKEN", ApiServer.READ_TOKEN))) {
            assertError(
                    server.post("/api/session", "{\"token\":\"wrong-token-wrong-token\"}", null),
                    401,
                    null,
                    "the token is wrong");
            HttpResponse<String> read =
                    server.post("/api/session", "{\"token\":" + quoted(ApiServer.READ_TOKEN) + "}", null);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(json(read).get("access").asText()).isEqualTo("read");
            String setCookie = read.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie)
                    .startsWith("fondation_session_" + server.port + "=")
                    .contains("; Path=/", "; HttpOnly", "; SameSite=Strict")
                    .doesNotContain(ApiServer.READ_TOKEN);
            String readCookie = setCookie.substring(0, setCookie.indexOf(';'));
            assertThat(server.get("/api/jobs", null, readCookie).statusCode()).isEqualTo(200);
            assertThat(json(server.get("/api/info", null, readCookie))
                            .get("access")
                            .asText())
                    .isEqualTo("read");
            assertThat(server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs"))
                                    .header("Cookie", readCookie)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"repositoryUrl\":\"owner/name\"}")))
                            .statusCode())
                    .as("a read-only sign-in cannot submit")
                    .isEqualTo(403);

            HttpResponse<String> write =
                    server.post("/api/session", "{\"token\":" + quoted(ApiServer.TOKEN) + "}", null);
            String writeCookie = write.headers().firstValue("Set-Cookie").orElseThrow();
            writeCookie = writeCookie.substring(0, writeCookie.indexOf(';'));
            HttpResponse<String> created = server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/jobs"))
                    .header("Cookie", writeCookie)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"repositoryUrl\":\"owner/name\"}")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = json(created).get("id").asText();
            assertThat(server.get("/ui/jobs/" + id, null, writeCookie).statusCode())
                    .isEqualTo(200);

            HttpResponse<String> out = server.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/session"))
                    .header("Cookie", writeCookie)
                    .DELETE());
            assertThat(out.statusCode()).isEqualTo(200);
            assertThat(out.headers().firstValue("Set-Cookie"))
                    .hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
            assertThat(server.get("/api/jobs", null, writeCookie).statusCode())
                    .as("the session ended")
                    .isEqualTo(401);
            assertThat(server.get("/api/jobs", null, "fondation_session_" + server.port + "=made-up")
                            .statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void aReadOnlyTokenNeedsTheApiTokenAndMustDifferFromIt() {
        Map<String, String> alone = Map.of(
                "HTTP_API",
                "true",
                "API_READ_TOKEN",
                ApiServer.READ_TOKEN,
                "EMBEDDED_DB_PATH",
                temp.resolve("q.db").toString());
        assertThatThrownBy(() -> ApiSettingsLoader.load(alone, WorkerConfigLoader.load(alone), false))
                .hasMessageStartingWith("API_READ_TOKEN: set without API_TOKEN");
        Map<String, String> same = Map.of(
                "HTTP_API",
                "true",
                "API_TOKEN",
                ApiServer.TOKEN,
                "API_READ_TOKEN",
                ApiServer.TOKEN,
                "EMBEDDED_DB_PATH",
                temp.resolve("q.db").toString());
        assertThatThrownBy(() -> ApiSettingsLoader.load(same, WorkerConfigLoader.load(same), false))
                .hasMessageStartingWith("API_READ_TOKEN: is the same as API_TOKEN")
                .hasMessageNotContaining(ApiServer.TOKEN);
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
        try (ApiServer server = ApiServer.start(temp, Map.of("CALLBACK_ALLOWED_HOSTS", "127.0.0.1"));
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
        assertThatThrownBy(() -> ApiSettingsLoader.load(env, WorkerConfigLoader.load(env), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("API_TOKEN: required: the HTTP API would listen on 0.0.0.0, beyond loopback");
        Map<String, String> noPort = Map.of("HTTP_API", "true", "HEALTH_PORT", "-1");
        assertThatThrownBy(() -> ApiSettingsLoader.load(noPort, WorkerConfigLoader.load(noPort), false))
                .hasMessageStartingWith(
                        "HTTP_API: the API is served on the health server's port, and HEALTH_PORT is -1");
        Map<String, String> off = Map.of("HEALTH_HOST", "0.0.0.0");
        assertThat(ApiSettingsLoader.load(off, WorkerConfigLoader.load(off), false)
                        .enabled())
                .isFalse();
    }

    @Test
    void executeRefusesCallbacksToThisMachineItsNetworkOrTheMetadataServiceAndChecksAgainAtConnectTime() {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger rebinds = new java.util.concurrent.atomic.AtomicInteger();
        io.fondation.http.callback.CallbackAddressPolicy.Resolver stub = host -> {
            asked.add(host);
            return List.of(java.net.InetAddress.getByName(
                    switch (host) {
                        case "loopback.test" -> "127.0.0.1";
                        case "metadata.test" -> "169.254.169.254";
                        // public when the job is submitted, loopback for every post after
                        case "rebind.test" -> rebinds.getAndIncrement() == 0 ? "203.0.113.7" : "127.0.0.1";
                        default -> {
                            if (!host.matches("[0-9.]+") && !host.contains(":")) {
                                throw new java.net.UnknownHostException(host);
                            }
                            yield host;
                        }
                    }));
        };
        try (ApiServer server = ApiServer.start(temp, Map.of(), stub);
                WebhookReceiver receiver = WebhookReceiver.start()) {
            int port = Integer.parseInt(receiver.url().replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/.*", "$1"));
            for (String callback : List.of(
                    "http://169.254.169.254/latest/meta-data/",
                    "http://10.0.0.1/hook",
                    "http://[::1]:" + port + "/webhook/jobs",
                    receiver.url(),
                    "http://loopback.test:" + port + "/webhook/jobs",
                    "http://metadata.test/hook")) {
                HttpResponse<String> refused = server.post(
                        "/execute",
                        "{\"repositoryUrl\":" + quoted(repository.toString()) + ",\"callbackUrl\":" + quoted(callback)
                                + "}",
                        null);
                assertError(refused, 400, "callbackUrl", "callbacks go to public addresses only");
            }
            assertThat(json(server.get("/api/jobs")).get("jobs"))
                    .as("nothing was queued")
                    .isEmpty();
            assertThat(receiver.received()).isEmpty();

            HttpResponse<String> accepted = server.post(
                    "/execute",
                    "{\"repositoryUrl\":" + quoted(repository.toString()) + ",\"callbackUrl\":"
                            + quoted("http://rebind.test:" + port + "/webhook/jobs") + "}",
                    null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            awaitStatus(server, json(accepted).get("id").asText(), "completed");
            // two posts at least (a progress and the complete), each resolving the name again: had one connected,
            // the receiver would have it before the next look-up
            await().atMost(Duration.ofSeconds(30)).until(() -> rebinds.get() >= 3);
            assertThat(receiver.received())
                    .as("every post re-resolved the name, found loopback and connected nowhere")
                    .isEmpty();
        }
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
