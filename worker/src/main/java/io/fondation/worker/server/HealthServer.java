package io.fondation.worker.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.engine.metrics.QueueDepth;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.http.api.AllowedHosts;
import io.fondation.shared.ConfigurationException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP endpoints, for container health checks and dashboards:
 * <ul>
 *   <li>{@code GET /health}: {@link HealthReport} as JSON, HTTP 200 healthy, 206 degraded, 503 unhealthy;
 *   <li>{@code GET /health/live}: 200 while the process works (its poll loop runs), else 503 — for a liveness
 *       probe that restarts a dead worker;
 *   <li>{@code GET /health/ready}: 200 only when the queue answers and no worker fault is open, else 503 with
 *       the reasons — for a readiness probe and a load balancer;
 *   <li>{@code GET /metrics}: the counters of the existing worker ({@code jobs_total}, ...) as JSON;
 *   <li>{@code GET /metrics/prometheus}: every meter of the worker's Prometheus registry (the worker's own, the
 *       JVM and process binders, the queue depth) in the Prometheus text format, as
 *       {@link PrometheusMeterRegistry#scrape()} writes it; 404 when the worker's meters go to a registry that is
 *       not Prometheus's.
 * </ul>
 * Handlers only read in-memory values (the queue depth is sampled elsewhere), so they run on Undertow's I/O
 * thread and answer even while every job thread is busy.
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> HEALTH_PATHS = java.util.Set.of(
            "/health", "/health/", "/health/live", "/health/ready", "/metrics", "/metrics/", "/metrics/prometheus");

    private final Undertow server;
    private final int port;

    private HealthServer(Undertow server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Loads and initialises what starting the server needs (Undertow, XNIO and the platform MBean server XNIO
     * registers with, the JSON mapper) without binding anything: the start-up warm-up calls it on another thread
     * while the main one parses the command line and opens the queue.
     */
    public static void preload() {
        Undertow.builder();
        try {
            // why: by name, so that XNIO (Undertow's transport, not a dependency of ours) stays undeclared
            Class.forName("org.xnio.Xnio")
                    .getMethod("getInstance", ClassLoader.class)
                    .invoke(null, Undertow.class.getClassLoader());
        } catch (ReflectiveOperationException | LinkageError e) {
            // a warm-up only: the server loads it when it starts
        }
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    }

    /**
     * Starts the server.
     *
     * @param host the address to bind ({@code 0.0.0.0} for all interfaces)
     * @param port the port, 0 for any free one
     * @param health the current health
     * @param metrics the worker's meters
     * @param clock stamps the answers
     * @throws ConfigurationException naming {@code HEALTH_PORT} and the address when it cannot be bound
     */
    public static HealthServer start(
            String host, int port, Supplier<WorkerHealth> health, WorkerMetrics metrics, Clock clock) {
        return start(host, port, AllowedHosts.of(host, List.of()), health, metrics, clock, null);
    }

    /**
     * {@link #start(String, int, Supplier, WorkerMetrics, Clock)} that also serves {@code others}: every path
     * that is not one of the health and metrics paths goes to it (the HTTP API and the status page). With it the
     * server gets a few worker threads, for handlers that block on the queue.
     *
     * @param allowed the {@code Host} names answered; every other request gets 403, whatever its path
     * @param others the handler of the other paths, or {@code null} to answer them 404
     */
    public static HealthServer start(
            String host,
            int port,
            AllowedHosts allowed,
            Supplier<WorkerHealth> health,
            WorkerMetrics metrics,
            Clock clock,
            HttpHandler others) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        Undertow server = Undertow.builder()
                .addHttpListener(port, host)
                .setIoThreads(1)
                .setWorkerThreads(others == null ? 1 : 4)
                .setHandler(new Routes(allowed, health, metrics, clock, others))
                .build();
        try {
            server.start();
        } catch (RuntimeException e) {
            server.stop();
            throw new ConfigurationException(
                    "HEALTH_PORT",
                    "cannot listen on " + host + ":" + port + ": "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        int bound = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        LOG.info("health server listening on {}:{}", host, bound);
        return new HealthServer(server, bound);
    }

    /** The port actually bound. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop();
    }

    private static final class Routes implements HttpHandler {
        private final AllowedHosts allowed;
        private final Supplier<WorkerHealth> health;
        private final WorkerMetrics metrics;
        private final Clock clock;
        private final HttpHandler others;

        Routes(
                AllowedHosts allowed,
                Supplier<WorkerHealth> health,
                WorkerMetrics metrics,
                Clock clock,
                HttpHandler others) {
            this.allowed = Objects.requireNonNull(allowed, "allowed");
            this.health = health;
            this.metrics = metrics;
            this.clock = clock;
            this.others = others;
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            String path = exchange.getRelativePath();
            String refusal = refusal(exchange);
            if (refusal != null) {
                // why: every route, the health and metrics ones included: a page of another site reaches none
                json(
                        exchange,
                        403,
                        Map.of("error", refusal),
                        exchange.getRequestMethod().equals(Methods.HEAD));
                return;
            }
            if (others != null && !HEALTH_PATHS.contains(path)) {
                others.handleRequest(exchange);
                return;
            }
            boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
            if (!exchange.getRequestMethod().equals(Methods.GET) && !head) {
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                json(exchange, 405, Map.of("error", "method not allowed"), false);
                return;
            }
            try {
                switch (path) {
                    case "/health", "/health/" -> {
                        WorkerHealth snapshot = health.get();
                        json(
                                exchange,
                                snapshot.status().httpStatus(),
                                HealthReport.of(snapshot, clock.instant()),
                                head);
                    }
                    case "/health/live" -> {
                        WorkerHealth snapshot = health.get();
                        json(exchange, snapshot.live() ? 200 : 503, probe(snapshot.live(), snapshot), head);
                    }
                    case "/health/ready" -> {
                        WorkerHealth snapshot = health.get();
                        json(exchange, snapshot.ready() ? 200 : 503, probe(snapshot.ready(), snapshot), head);
                    }
                    case "/metrics", "/metrics/" -> {
                        Map<String, Object> body = new LinkedHashMap<>(metrics.snapshot());
                        queueDepth(metrics.registry()).ifPresent(depth -> body.put("queue_depth", depth));
                        body.put("timestamp", clock.instant().toString());
                        json(exchange, 200, body, head);
                    }
                    case "/metrics/prometheus" -> prometheus(exchange, head);
                    default ->
                        json(
                                exchange,
                                404,
                                Map.of(
                                        "error",
                                        "not found",
                                        "paths",
                                        java.util.List.of(
                                                "/health",
                                                "/health/live",
                                                "/health/ready",
                                                "/metrics",
                                                "/metrics/prometheus")),
                                head);
                }
            } catch (RuntimeException e) {
                LOG.warn("health endpoint {} failed", path, e);
                json(exchange, 500, Map.of("error", "internal error"), head);
            }
        }

        /** Why the request is refused (its Host or Origin is not this server's), or {@code null}. */
        private String refusal(HttpServerExchange exchange) {
            String hostHeader = exchange.getRequestHeaders().getFirst(Headers.HOST);
            // why: HTTP/1.1 requires Host; only a hand-made HTTP/1.0 request lacks it, and no browser sends one
            String host = hostHeader == null ? "localhost" : hostName(hostHeader);
            if (!allowed.allows(host)) {
                return allowed.refusal();
            }
            String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
            if (origin != null && !AllowedHosts.sameOrigin(origin, hostHeader == null ? "" : hostHeader)) {
                return "requests from another origin (" + origin + ") are refused";
            }
            return null;
        }

        /** The host of a {@code Host} header, without its port; an IPv6 literal keeps its brackets. */
        static String hostName(String hostHeader) {
            String value = hostHeader.strip();
            if (value.startsWith("[")) {
                int end = value.indexOf(']');
                return end < 0 ? value : value.substring(0, end + 1);
            }
            int colon = value.indexOf(':');
            return colon < 0 ? value : value.substring(0, colon);
        }

        private void prometheus(HttpServerExchange exchange, boolean head) {
            Optional<PrometheusMeterRegistry> registry = PrometheusScrape.find(metrics.registry());
            if (registry.isEmpty()) {
                json(
                        exchange,
                        404,
                        Map.of("error", "the worker's meters go to a registry that is not a Prometheus registry"),
                        head);
                return;
            }
            send(exchange, 200, PrometheusScrape.CONTENT_TYPE, registry.get().scrape(), head);
        }

        private static Map<String, Object> probe(boolean ok, WorkerHealth snapshot) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ok ? "ok" : "not ok");
            body.put("workerId", snapshot.workerId());
            body.put("state", snapshot.state());
            if (!snapshot.notReadyBecause().isEmpty()) {
                body.put("reasons", snapshot.notReadyBecause());
            }
            return body;
        }

        private static void json(HttpServerExchange exchange, int status, Object body, boolean head) {
            String text;
            try {
                text = JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            send(exchange, status, "application/json; charset=utf-8", text, head);
        }

        private static void send(HttpServerExchange exchange, int status, String type, String body, boolean head) {
            exchange.setStatusCode(status);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            if (head) {
                exchange.endExchange();
            } else {
                exchange.getResponseSender().send(body, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * {@code queue_depth} of {@code /metrics}: the last depth sample of {@link QueueDepth} ({@code pending}, {@code
     * due}, {@code running}, {@code paused}, {@code wanted}), read from its gauges; empty while none is known or when
     * the queue cannot count its depth.
     */
    static Optional<Map<String, Long>> queueDepth(MeterRegistry registry) {
        Map<String, Long> depth = new LinkedHashMap<>();
        for (String count : List.of("pending", "due", "running", "paused")) {
            Gauge gauge = registry.find(QueueDepth.DEPTH).tag("count", count).gauge();
            if (gauge == null || Double.isNaN(gauge.value())) {
                return Optional.empty();
            }
            depth.put(count, (long) gauge.value());
        }
        Gauge wanted = registry.find(QueueDepth.WANTED).gauge();
        if (wanted == null || Double.isNaN(wanted.value())) {
            return Optional.empty();
        }
        depth.put("wanted", (long) wanted.value());
        return Optional.of(depth);
    }
}
