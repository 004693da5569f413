package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.JobStatus;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /health and /metrics of a running worker, over real HTTP. */
class HealthEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void healthStaysHealthyThroughHoursOfIdlingAndMetricsCountJobs() throws Exception {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            int port = fixture.runtime.healthPort();
            assertThat(port).isPositive();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fixture.runtime.worker().health().lastPollAt() != null);

            HttpResponse<String> health = LocalHttp.get(port, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode body = JSON.readTree(health.body());
            assertThat(body.get("status").asText()).isEqualTo("healthy");
            assertThat(body.get("workerId").asText()).isEqualTo(WorkerFixture.WORKER_ID);
            assertThat(body.get("activeJobs").asInt()).isZero();
            assertThat(body.get("maxConcurrentJobs").asInt()).isEqualTo(1);
            assertThat(body.get("memory").get("heapUsed").asLong()).isPositive();
            assertThat(body.get("lastPollAt").asText()).isNotEmpty();

            // Idle for three hours: still healthy (the old worker turned degraded after ten idle minutes).
            // The embedded queue pushes news of work, so an idle worker does not even poll.
            assertThat(body.get("pickup").asText()).isEqualTo("push");
            fixture.clock.advance(Duration.ofHours(3));
            HttpResponse<String> later = LocalHttp.get(port, "/health");
            assertThat(later.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(later.body()).get("uptime").asDouble()).isGreaterThanOrEqualTo(3 * 3600);

            String id = fixture.submit(fixture.repository("sample"), null, "");
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.job(id).status() == JobStatus.COMPLETED);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fixture.runtime.worker().activeJobs() == 0);

            HttpResponse<String> metrics = LocalHttp.get(port, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            JsonNode counters = JSON.readTree(metrics.body());
            assertThat(counters.get("jobs_total").asLong()).isEqualTo(1);
            assertThat(counters.get("jobs_succeeded_total").asLong()).isEqualTo(1);
            assertThat(counters.get("jobs_failed_total").asLong()).isZero();
            assertThat(counters.get("jobs_active").asInt()).isZero();
            assertThat(counters.get("jobs_duration_average_ms").asLong()).isPositive();
            assertThat(counters.get("polls_total").asLong()).isGreaterThan(1);

            HttpResponse<String> prometheus = LocalHttp.get(port, "/metrics/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body()).contains("fondation_jobs_claimed_total 1.0\n");

            fixture.runtime.worker().stop();
            HttpResponse<String> stopped = LocalHttp.get(port, "/health");
            assertThat(stopped.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(stopped.body()).get("status").asText()).isEqualTo("unhealthy");
        }
    }
}
