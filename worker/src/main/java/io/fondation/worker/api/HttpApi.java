package io.fondation.worker.api;

import io.fondation.shared.JobQueue;
import io.fondation.worker.api.ApiHandler.Response;
import io.fondation.worker.api.ApiHandler.Route;
import io.fondation.worker.assembly.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The job API and the status page of a worker's HTTP server (the health server's port): the routes, their
 * endpoints, the OpenAPI description ({@code /api/openapi.json}) and the page's files ({@code /ui/}).
 */
public final class HttpApi implements AutoCloseable {

    /** The page's files, served from the jar; nothing else under {@code /ui/} is read from the class path. */
    private static final Map<String, String> UI_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final ApiHandler handler;
    private final CallbackRelay relay;

    private HttpApi(ApiHandler handler, CallbackRelay relay) {
        this.handler = handler;
        this.relay = relay;
    }

    /**
     * The API over {@code queue}.
     *
     * @param queueName {@code embedded} or {@code convex}, shown on the page
     */
    public static HttpApi create(JobQueue queue, ApiSettings settings, Clock clock, String queueName) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(settings, "settings");
        JobsApi jobs = new JobsApi(queue, settings);
        CallbackRelay relay = new CallbackRelay(queue, clock);
        ExecuteApi execute = new ExecuteApi(queue, jobs, relay);
        CoursePage course = new CoursePage(queue, jobs);
        byte[] openApi = resource("openapi.json");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("service", "fondation-worker");
        info.put("queue", queueName);
        info.put("authRequired", settings.authRequired());
        info.put("allowLocalRepositories", settings.allowLocalRepositories());
        info.put("maxBodyBytes", settings.maxBodyBytes());
        List<Route> routes = List.of(
                Route.of(
                        "GET",
                        "/",
                        request -> new Response(302, "text/plain; charset=utf-8", new byte[0], Map.of())
                                .withHeader("Location", "/ui/")),
                Route.of("GET", "/ui/", request -> file("index.html")),
                Route.of("GET", "/ui/{file}", request -> {
                    if (!UI_FILES.containsKey(request.parameter("file"))) {
                        throw ApiException.notFound("no such file: /ui/" + request.parameter("file"));
                    }
                    return file(request.parameter("file"));
                }),
                Route.of("GET", "/ui/jobs/{id}", course::page),
                Route.of("GET", "/api/info", request -> Response.json(200, info)),
                Route.of(
                        "GET",
                        "/api/openapi.json",
                        request -> new Response(200, "application/json; charset=utf-8", openApi, Map.of())),
                Route.of("GET", "/api/jobs", jobs::list),
                Route.of("POST", "/api/jobs", jobs::submit),
                Route.of("GET", "/api/jobs/{id}", jobs::get),
                Route.of("GET", "/api/jobs/{id}/docs", jobs::documents),
                Route.of("POST", "/api/jobs/{id}/cancel", jobs::cancel),
                Route.of("POST", "/execute", execute::execute));
        return new HttpApi(new ApiHandler(settings, routes), relay);
    }

    /**
     * Serves the API on {@code runtime}'s HTTP server when {@code settings} enable it.
     *
     * @return the API, to close after the runtime; {@code null} when it is disabled
     */
    public static HttpApi install(WorkerRuntime runtime, ApiSettings settings, Clock clock, String queueName) {
        if (!settings.enabled()) {
            return null;
        }
        HttpApi api = create(runtime.queue(), settings, clock, queueName);
        runtime.serve(api.handler());
        return api;
    }

    /** The Undertow handler. */
    public ApiHandler handler() {
        return handler;
    }

    /** Stops reporting {@code /execute} jobs to their webhooks. */
    @Override
    public void close() {
        relay.close();
    }

    private static Response file(String name) {
        return new Response(200, UI_FILES.get(name), resource("ui/" + name), Map.of());
    }

    private static byte[] resource(String name) {
        try (InputStream in = HttpApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
