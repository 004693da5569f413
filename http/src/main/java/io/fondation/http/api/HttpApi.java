package io.fondation.http.api;

import io.fondation.http.api.ApiHandler.Response;
import io.fondation.http.api.ApiHandler.Route;
import io.fondation.http.callback.CallbackAddressPolicy;
import io.fondation.shared.JobQueue;
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
        return create(queue, settings, clock, queueName, CallbackAddressPolicy.Resolver.SYSTEM);
    }

    /**
     * {@link #create(JobQueue, ApiSettings, Clock, String)} with the resolver the callback addresses are checked
     * with (tests give a stub, so that no test reaches beyond loopback).
     */
    public static HttpApi create(
            JobQueue queue,
            ApiSettings settings,
            Clock clock,
            String queueName,
            CallbackAddressPolicy.Resolver resolver) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(settings, "settings");
        CallbackAddressPolicy callbacks = new CallbackAddressPolicy(settings.callbackAllowedHosts(), resolver);
        JobsApi jobs = new JobsApi(queue, settings);
        ApiSessions sessions = new ApiSessions(clock);
        CallbackRelay relay = new CallbackRelay(queue, clock, callbacks);
        ExecuteApi execute = new ExecuteApi(queue, jobs, relay, callbacks);
        CoursePage course = new CoursePage(queue, jobs);
        byte[] openApi = resource("openapi.json");
        SessionApi session = new SessionApi(settings, sessions);
        List<Route> routes = List.of(
                Route.of(
                        "GET",
                        "/",
                        Access.NONE,
                        request -> new Response(302, "text/plain; charset=utf-8", new byte[0], Map.of())
                                .withHeader("Location", "/ui/")),
                Route.of("GET", "/ui/", Access.NONE, request -> file("index.html")),
                Route.of("GET", "/ui/{file}", Access.NONE, request -> {
                    if (!UI_FILES.containsKey(request.parameter("file"))) {
                        throw ApiException.notFound("no such file: /ui/" + request.parameter("file"));
                    }
                    return file(request.parameter("file"));
                }),
                Route.of("GET", "/ui/jobs/{id}", Access.READ, course::page),
                Route.of(
                        "GET",
                        "/api/info",
                        Access.NONE,
                        request -> Response.json(200, info(settings, queueName, request))),
                Route.of(
                        "GET",
                        "/api/openapi.json",
                        Access.NONE,
                        request -> new Response(200, "application/json; charset=utf-8", openApi, Map.of())),
                Route.of("POST", "/api/session", Access.NONE, session::signIn),
                Route.of("DELETE", "/api/session", Access.NONE, session::signOut),
                Route.of("GET", "/api/jobs", Access.READ, jobs::list),
                Route.of("POST", "/api/jobs", Access.WRITE, jobs::submit),
                Route.of("GET", "/api/jobs/{id}", Access.READ, jobs::get),
                Route.of("GET", "/api/jobs/{id}/docs", Access.READ, jobs::documents),
                Route.of("POST", "/api/jobs/{id}/cancel", Access.WRITE, jobs::cancel),
                Route.of("POST", "/execute", Access.WRITE, execute::execute));
        return new HttpApi(new ApiHandler(settings, sessions, routes), relay);
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

    /** {@code GET /api/info}: what the page needs before signing in, and what this request may do. */
    private static Map<String, Object> info(ApiSettings settings, String queueName, ApiHandler.Request request) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("service", "fondation-worker");
        info.put("queue", queueName);
        info.put("authRequired", settings.authRequired());
        info.put("access", request.access().wireName());
        info.put("allowLocalRepositories", settings.allowLocalRepositories());
        info.put("maxBodyBytes", settings.maxBodyBytes());
        return info;
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
