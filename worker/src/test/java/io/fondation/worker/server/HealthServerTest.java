package io.fondation.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.engine.analyzer.ContainmentReport;
import io.fondation.engine.health.HealthStatus;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.contract.MutableClock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP on a loopback port chosen by the system. */
class HealthServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final AtomicReference<WorkerHealth> health = new AtomicReference<>(health(HealthStatus.HEALTHY, null));
    private final WorkerMetrics metrics = new WorkerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final HealthServer server = HealthServer.start("127.0.0.1", 0, health::get, metrics, clock);

    @AfterEach
    void stop() {
        server.close();
    }

    private WorkerHealth health(HealthStatus status, String error) {
        Instant now = clock.instant();
        return new WorkerHealth(
                status,
                "w1",
                "running",
                now.minusSeconds(90),
                Duration.ofSeconds(90),
                1,
                2,
                now,
                null,
                error,
                error == null ? null : now,
                error == null ? 0 : 3,
                status != HealthStatus.UNHEALTHY,
                error == null,
                error == null ? List.of() : List.of("the queue does not answer (3 claim calls failed in a row)"),
                null,
                null,
                false,
                new ContainmentReport(
                        "fondation",
                        new ContainmentStatus(
                                ContainmentStatus.Level.SESSION,
                                "setpriv --pdeathsig + setsid",
                                "the analyzer's whole session dies with the worker"),
                        true),
                null);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthyIs200WithTheExistingFields() throws Exception {
        HttpResponse<String> response = send("GET", "/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("cache-control")).contains("no-store");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("healthy");
        assertThat(body.get("workerId").asText()).isEqualTo("w1");
        assertThat(body.get("uptime").asDouble()).isEqualTo(90.0);
        assertThat(body.get("activeJobs").asInt()).isEqualTo(1);
        assertThat(body.get("maxConcurrentJobs").asInt()).isEqualTo(2);
        assertThat(body.get("lastPollAt").asText()).isEqualTo(clock.instant().toString());
        assertThat(body.has("lastError")).isFalse();
        assertThat(body.get("memory").get("heapTotal").asLong()).isPositive();
        JsonNode containment = body.get("containment");
        assertThat(containment.get("analyzer").asText()).isEqualTo("fondation");
        assertThat(containment.get("level").asText()).isEqualTo("session");
        assertThat(containment.get("unconfinedAllowed").asBoolean()).isTrue();
        assertThat(containment.get("confinesWrites").asBoolean()).isFalse();
        assertThat(containment.get("treeDiesWithWorker").asBoolean()).isTrue();
        assertThat(containment.get("detail").asText()).contains("dies with the worker");
    }

    @Test
    void aPausedWorkerIsReadyButSaysUntilWhenItClaimsNothing() throws Exception {
        WorkerHealth ready = health.get();
        Instant until = clock.instant().plusSeconds(20);
        health.set(new WorkerHealth(
                ready.status(),
                ready.workerId(),
                ready.state(),
                ready.startedAt(),
                ready.uptime(),
                ready.activeJobs(),
                ready.maxConcurrentJobs(),
                ready.lastPollAt(),
                ready.lastClaimAt(),
                ready.lastError(),
                ready.lastErrorAt(),
                ready.consecutivePollFailures(),
                ready.live(),
                ready.ready(),
                ready.notReadyBecause(),
                ready.workerFault(),
                ready.nextFaultCheck(),
                ready.pushLive(),
                ready.containment(),
                until));

        HttpResponse<String> response = send("GET", "/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("ready").asBoolean()).isTrue();
        assertThat(body.get("pausedUntil").asText()).isEqualTo(until.toString());
        assertThat(body.get("pause").asText()).startsWith("ready, but paused until " + until);
        assertThat(send("GET", "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void degradedIs206WithTheLastError() throws Exception {
        health.set(health(HealthStatus.DEGRADED, "claim failed: queue unreachable"));

        HttpResponse<String> response = send("GET", "/health");

        assertThat(response.statusCode()).isEqualTo(206);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("degraded");
        assertThat(body.get("lastError").asText()).isEqualTo("claim failed: queue unreachable");
        assertThat(body.get("consecutivePollFailures").asInt()).isEqualTo(3);
    }

    @Test
    void unhealthyIs503() throws Exception {
        health.set(health(HealthStatus.UNHEALTHY, null));
        assertThat(send("GET", "/health").statusCode()).isEqualTo(503);
        assertThat(send("HEAD", "/health").statusCode()).isEqualTo(503);
    }

    @Test
    void metricsAreTheExistingCountersFromMicrometer() throws Exception {
        JsonNode body = JSON.readTree(send("GET", "/metrics").body());
        assertThat(body.get("jobs_total").asLong()).isZero();
        assertThat(body.get("jobs_active").asInt()).isZero();
        assertThat(body.has("jobs_succeeded_total")).isTrue();
        assertThat(body.has("jobs_failed_total")).isTrue();
        assertThat(body.has("jobs_duration_average_ms")).isTrue();
        assertThat(body.get("timestamp").asText()).isEqualTo(clock.instant().toString());
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        HttpResponse<String> missing = send("GET", "/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("/health");
        HttpResponse<String> post = send("POST", "/health");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void aPortInUseIsAClearError() {
        assertThatThrownBy(() -> HealthServer.start("127.0.0.1", server.port(), health::get, metrics, clock))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("HEALTH_PORT: cannot listen on 127.0.0.1:" + server.port());
    }

    @Test
    void prometheusIsTheScrapeOfThePrometheusRegistry() throws Exception {
        HttpResponse<String> response = send("GET", "/metrics/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body())
                .contains(
                        "# HELP fondation_jobs_claimed_total Jobs claimed\n# TYPE fondation_jobs_claimed_total counter\n")
                .contains("fondation_attempts_total{outcome=\"lease_lost\"} 0.0\n")
                .contains("fondation_job_duration_seconds_bucket{le=\"+Inf\"} 0\n")
                .doesNotContain("_ms");
        assertThat(send("HEAD", "/metrics/prometheus").body()).isEmpty();
    }

    @Test
    void prometheusIsFoundInACompositeAndMissingWithoutOne() throws Exception {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(new SimpleMeterRegistry());
        PrometheusMeterRegistry inside = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        composite.add(inside);
        WorkerMetrics viaComposite = new WorkerMetrics(composite, 3);
        try (HealthServer other = HealthServer.start("127.0.0.1", 0, health::get, viaComposite, clock)) {
            HttpResponse<String> response = get(other, "/metrics/prometheus");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("fondation_worker_slots 3.0");
        }
        WorkerMetrics simple = new WorkerMetrics(new SimpleMeterRegistry());
        try (HealthServer other = HealthServer.start("127.0.0.1", 0, health::get, simple, clock)) {
            HttpResponse<String> response = get(other, "/metrics/prometheus");
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).contains("not a Prometheus registry");
            assertThat(get(other, "/metrics").statusCode())
                    .as("the JSON counters need no Prometheus registry")
                    .isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
