package io.fondation.worker.assembly;

import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.ConvexQueueSettings;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.metrics.QueueDepth;
import io.fondation.engine.preflight.Preflight;
import io.fondation.engine.runtime.Worker;
import io.fondation.http.api.AllowedHosts;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.http.callback.CallbackAddressPolicy;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.Secret;
import io.fondation.worker.config.QueueSettings;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.server.HealthServer;
import io.fondation.worker.server.JvmMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Wires a worker from a {@link WorkerConfig}: the queue (embedded SQLite or Convex), the per-job tools
 * (workspaces under {@code TEMP_DIR}, the JGit cloner, the configured analyzer), the {@link Worker} with its meters
 * in a Prometheus registry, and its health server. {@link #open} connects to the queue but does not poll;
 * {@link #start} does, and with the health server also binds the JVM and process meters and samples the queue
 * depth ({@link #queueDepthInterval}).
 */
public final class WorkerRuntime implements AutoCloseable {

    /** How often the queue depth is counted on the embedded queue: an indexed count, cheap. */
    public static final Duration EMBEDDED_QUEUE_DEPTH_INTERVAL = Duration.ofSeconds(5);

    /** How often the queue depth is counted on Convex: per worker and minute, one count by status and one queue:depth. */
    public static final Duration CONVEX_QUEUE_DEPTH_INTERVAL = Duration.ofMinutes(1);

    private final WorkerConfig config;
    private final Clock clock;
    private final JobQueue queue;
    private final Worker worker;
    private final PrometheusMeterRegistry registry;
    private HealthServer healthServer;
    private JvmMeters jvmMeters;
    private QueueDepth queueDepth;
    private HttpHandler others;
    private boolean closed;

    private WorkerRuntime(
            WorkerConfig config, Clock clock, JobQueue queue, Worker worker, PrometheusMeterRegistry registry) {
        this.config = config;
        this.clock = clock;
        this.queue = queue;
        this.worker = worker;
        this.registry = registry;
    }

    /**
     * Opens the queue and builds the worker; the analyzer gets the allowed part of this process's environment.
     *
     * @throws io.fondation.shared.ConfigurationException naming the setting at fault when the queue cannot be opened
     */
    public static WorkerRuntime open(WorkerConfig config, Clock clock, WorkerListener listener) {
        return open(config, clock, listener, System.getenv());
    }

    /**
     * {@link #open(WorkerConfig, Clock, WorkerListener)} with the environment the analyzer's is filtered from.
     */
    public static WorkerRuntime open(
            WorkerConfig config, Clock clock, WorkerListener listener, Map<String, String> environment) {
        return open(config, clock, listener, environment, UnaryOperator.identity());
    }

    /**
     * {@link #open(WorkerConfig, Clock, WorkerListener, Map)} with the worker taking its jobs from {@code wrap} applied
     * to the queue ({@code run --once} lets one claim through); closing the runtime closes what {@code wrap} returned.
     */
    public static WorkerRuntime open(
            WorkerConfig config,
            Clock clock,
            WorkerListener listener,
            Map<String, String> environment,
            UnaryOperator<JobQueue> wrap) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(wrap, "wrap");
        JobQueue opened = openQueue(config, clock);
        JobQueue queue;
        try {
            queue = Objects.requireNonNull(wrap.apply(opened), "wrapped queue");
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        try {
            PrometheusMeterRegistry registry = JvmMeters.newRegistry();
            Worker worker = WorkerAssembly.builder(config, queue, environment)
                    .meterRegistry(registry)
                    .clock(clock)
                    .listener(listener)
                    .build();
            return new WorkerRuntime(config, clock, queue, worker, registry);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /**
     * Opens only the queue (for submit, status and docs commands).
     *
     * @throws io.fondation.shared.ConfigurationException naming the setting at fault
     */
    public static JobQueue openQueue(WorkerConfig config, Clock clock) {
        QueueSettings settings = config.queue();
        return switch (settings.kind()) {
            case EMBEDDED -> openEmbedded(settings, clock);
            case CONVEX ->
                ConvexJobQueue.connect(
                        new ConvexQueueSettings(
                                settings.convexUrl().toString(),
                                reveal(settings.convexDeployKey()),
                                reveal(settings.workerSecret()),
                                reveal(settings.encryptionKey()),
                                null,
                                null,
                                ConvexQueueSettings.DEFAULT_MAX_ATTEMPTS),
                        clock);
        };
    }

    private static JobQueue openEmbedded(QueueSettings settings, Clock clock) {
        try {
            return SqliteJobQueue.open(settings.embeddedDbPath(), clock)
                    .maxRunningPerUser(settings.maxRunningPerUser());
        } catch (JobQueueException e) {
            throw new ConfigurationException("EMBEDDED_DB_PATH", e.getMessage());
        }
    }

    private static String reveal(Secret secret) {
        return secret == null ? null : secret.reveal();
    }

    public JobQueue queue() {
        return queue;
    }

    public Worker worker() {
        return worker;
    }

    /** The registry of every meter the health server's {@code /metrics/prometheus} serves. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** How often the queue depth is counted: {@link #EMBEDDED_QUEUE_DEPTH_INTERVAL} or {@link #CONVEX_QUEUE_DEPTH_INTERVAL}. */
    public Duration queueDepthInterval() {
        return config.queue().kind() == QueueSettings.Kind.EMBEDDED
                ? EMBEDDED_QUEUE_DEPTH_INTERVAL
                : CONVEX_QUEUE_DEPTH_INTERVAL;
    }

    /**
     * Checks that the worker can work ({@link Preflight}), then starts the health server (when {@code HEALTH_PORT}
     * is not -1) and then the worker, so that a missing analyzer, an unusable {@code TEMP_DIR} or a port already in
     * use stops the start before any job is claimed.
     *
     * @throws ConfigurationException naming the setting at fault
     */
    public synchronized void start() {
        listen();
        try {
            worker.start();
        } catch (RuntimeException e) {
            closeHealthServer();
            throw e;
        }
    }

    /**
     * The first half of {@link #start()}: checks that the worker can work and starts the health server, but claims
     * nothing yet, so that a caller can queue its jobs knowing the port is bound ({@code dev} queues nothing on a
     * port in use) and start the worker after.
     *
     * @throws ConfigurationException naming the setting at fault
     */
    public synchronized void listen() {
        preflight();
        if (config.healthEnabled() && healthServer == null) {
            healthServer = HealthServer.start(
                    config.healthHost(),
                    config.healthPort(),
                    AllowedHosts.of(config.healthHost(), config.healthAllowedHosts()),
                    worker::health,
                    worker.metrics(),
                    clock,
                    others);
            // Only with a health server: nobody would read these meters without one.
            jvmMeters = JvmMeters.bindTo(registry);
            queueDepth = QueueDepth.start(queue, registry, queueDepthInterval(), clock);
            if (queue instanceof ConvexJobQueue convex) {
                syncGauge(convex);
            }
        }
    }

    /**
     * Serves {@code handler} on the health server's port, for every path that is not a health or metrics path (the
     * HTTP API and status page); call before {@link #start()}.
     *
     * @throws IllegalStateException when the health server is disabled ({@code HEALTH_PORT=-1}) or already started
     */
    public synchronized void serve(HttpHandler handler) {
        if (!config.healthEnabled()) {
            throw new IllegalStateException("the health server is disabled (HEALTH_PORT=-1)");
        }
        if (healthServer != null) {
            throw new IllegalStateException("the health server is already started");
        }
        this.others = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Serves the job API and the status page on the health server's port when {@code settings} enable it; call
     * before {@link #start()}.
     *
     * @param queueName {@code embedded} or {@code convex}, shown on the page
     * @param resolver checks the addresses of {@code /execute}'s callbacks
     * @return the API, to close after this runtime; {@code null} when it is disabled
     */
    public HttpApi serveApi(
            ApiSettings settings, Clock apiClock, String queueName, CallbackAddressPolicy.Resolver resolver) {
        if (!settings.enabled()) {
            return null;
        }
        HttpApi api = HttpApi.create(queue, settings, apiClock, queueName, resolver);
        serve(api.handler());
        return api;
    }

    /** {@link #serveApi(ApiSettings, Clock, String, CallbackAddressPolicy.Resolver)} with the system's resolver. */
    public HttpApi serveApi(ApiSettings settings, Clock apiClock, String queueName) {
        return serveApi(settings, apiClock, queueName, CallbackAddressPolicy.Resolver.SYSTEM);
    }

    /**
     * Runs the {@link Preflight} checks now (once; {@link #start()} runs them if this was not called).
     *
     * @throws ConfigurationException naming the setting at fault
     */
    public synchronized void preflight() {
        worker.preflight();
    }

    /** The port the health server listens on, or -1 when it is disabled or not started. */
    public synchronized int healthPort() {
        return healthServer == null ? -1 : healthServer.port();
    }

    /**
     * Stops the worker (releasing in-flight jobs), then the health server, then closes the queue. Runs
     * once: later calls return at once, and a call made while the first is running waits for it (the
     * CLI's stop signal and its try-with-resources both rely on this).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            worker.stop();
        } finally {
            closeHealthServer();
            queue.close();
        }
    }

    /** The name of the gauge of failed sync-socket tries ({@code fondation_convex_sync_failed_connects}). */
    public static final String SYNC_FAILED_CONNECTS = "fondation.convex.sync.failed.connects";

    /**
     * {@value #SYNC_FAILED_CONNECTS}: the sync socket's failed tries since it last delivered a pushed state (0 while
     * push works). The client logs only the first failure of a streak, so a deployment without WebSocket shows here.
     */
    private void syncGauge(ConvexJobQueue convex) {
        if (registry.find(SYNC_FAILED_CONNECTS).gauge() != null) {
            return;
        }
        io.micrometer.core.instrument.Gauge.builder(
                        SYNC_FAILED_CONNECTS,
                        convex,
                        q -> q.client().syncStatus().failedConnects())
                .description("Failed tries of the Convex sync socket since it last pushed a state (0 while push works)")
                .register(registry);
    }

    private void closeHealthServer() {
        if (queueDepth != null) {
            queueDepth.close();
            queueDepth = null;
        }
        if (jvmMeters != null) {
            jvmMeters.close();
            jvmMeters = null;
        }
        if (healthServer != null) {
            healthServer.close();
            healthServer = null;
        }
    }
}
