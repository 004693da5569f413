package io.fondation.worker.api;

import io.fondation.engine.events.WorkerListener;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.http.callback.CallbackAddressPolicy;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.ApiSettingsLoader;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A worker with the HTTP API on loopback, in-process, for the API and page tests: the embedded queue in a
 * temporary file, the dry-run analyzer (or the given settings), a free port.
 */
final class ApiServer implements AutoCloseable {

    /** Obviously fake. */
    static final String TOKEN = "test-api-token-not-a-secret-000001";
    /** Obviously fake too: the read-only one. */
    static final String READ_TOKEN = "test-api-read-token-FAKE-000002";

    final WorkerRuntime runtime;
    final HttpApi api;
    final int port;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ApiServer(WorkerRuntime runtime, HttpApi api) {
        this.runtime = runtime;
        this.api = api;
        this.port = runtime.healthPort();
    }

    /** Starts a worker serving the API; {@code extra} overrides the defaults (e.g. API_TOKEN, ANALYZER). */
    static ApiServer start(Path temp, Map<String, String> extra) {
        return start(temp, extra, CallbackAddressPolicy.Resolver.SYSTEM);
    }

    /** {@link #start(Path, Map)} with the resolver {@code /execute}'s callback addresses are checked with. */
    static ApiServer start(Path temp, Map<String, String> extra, CallbackAddressPolicy.Resolver resolver) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", temp.resolve("home").toString());
        env.put("TEMP_DIR", temp.resolve("work").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("QUEUE", "embedded");
        env.put("EMBEDDED_DB_PATH", temp.resolve("queue.db").toString());
        env.put("ANALYZER", "dry-run");
        env.put("HEALTH_PORT", "0");
        env.put("HEALTH_HOST", "127.0.0.1");
        env.put("HTTP_API", "true");
        env.put("POLL_INTERVAL", "200");
        env.put("MIN_FREE_DISK_MB", "0");
        env.put("WORKER_ID", "api-test");
        // owner/name jobs (the validation and contract tests queue some) fail at once instead of trying the network.
        env.put("GIT_BASE_URL", temp.resolve("no-git-host").toUri().toString());
        env.putAll(extra);
        WorkerConfig config = WorkerConfigLoader.load(env);
        ApiSettings settings = ApiSettingsLoader.load(env, config, false);
        WorkerRuntime runtime = WorkerRuntime.open(config, Clock.systemUTC(), new WorkerListener() {}, env);
        HttpApi api = runtime.serveApi(settings, Clock.systemUTC(), "embedded", resolver);
        runtime.start();
        return new ApiServer(runtime, api);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
    }

    /** A read with a bearer token (or none). */
    HttpResponse<String> get(String path, String token) {
        return get(path, token, null);
    }

    /** A read with a bearer token and a {@code Cookie} header (either may be {@code null}). */
    HttpResponse<String> get(String path, String token, String cookie) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (cookie != null) {
            builder.header("Cookie", cookie);
        }
        return send(builder);
    }

    HttpResponse<String> post(String path, String json, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder);
    }

    HttpResponse<String> send(HttpRequest.Builder builder) {
        try {
            return http.send(builder.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            api.close();
        }
    }
}
