package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.worker.server.PrometheusText;
import io.fondation.worker.server.Promtool;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics/prometheus} of a worker that ran real jobs (embedded queue, the test analyzer in a child process):
 * a valid exposition by {@code promtool check metrics} when it is installed (CI installs it) and always by the
 * format checker {@link PrometheusText}, with the worker's histograms, outcome counters, queue depth and the JVM
 * and process meters; the JSON {@code /metrics} keeps its shape.
 */
class PrometheusMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void aWorkerThatRanJobsServesAValidExpositionOfEveryMeter() throws Exception {
        try (WorkerFixture fixture = new WorkerFixture(temp)) {
            String first = fixture.submit(fixture.repository("first"), null, "");
            String second = fixture.submit(fixture.repository("second"), null, "");
            String failing = fixture.submit(
                    JobSpec.of(CloneSource.ofUrl(fixture.repository("failing").toString(), null), "fail refused"));
            // The jobs wait 90 s in the queue before a worker starts: their pickup latency.
            fixture.clock.advance(Duration.ofSeconds(90));
            fixture.start();
            int port = fixture.runtime.healthPort();
            fixture.listener.awaitOutcome(first, AttemptOutcome.Completed.class, WAIT);
            fixture.listener.awaitOutcome(second, AttemptOutcome.Completed.class, WAIT);
            fixture.listener.awaitOutcome(failing, AttemptOutcome.RetryScheduled.class, WAIT);
            await().atMost(WAIT).until(() -> fixture.runtime.worker().activeJobs() == 0);
            // The queue depth is sampled every few seconds: wait for a sample taken after the jobs ended.
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> queueDepth(port, "completed") == 2
                            && queueDepth(port, "pending") == 1
                            && depthCount(port, "running") == 0
                            && depthCount(port, "pending") == 1);

            HttpResponse<String> response = LocalHttp.get(port, "/metrics/prometheus");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type"))
                    .contains("text/plain; version=0.0.4; charset=utf-8");
            String text = response.body();
            System.out.println("e2e: /metrics/prometheus after 3 jobs: " + text.length() + " bytes, "
                    + text.lines().filter(l -> !l.startsWith("#")).count() + " samples");

            Optional<Promtool.Result> promtool = Promtool.checkMetrics(text);
            if (promtool.isPresent()) {
                System.out.println(
                        "e2e: promtool check metrics: exit " + promtool.get().exitCode() + " "
                                + promtool.get().output().strip());
                assertThat(promtool.get().output()).as("promtool check metrics").isBlank();
                assertThat(promtool.get().exitCode())
                        .as("promtool check metrics")
                        .isZero();
            } else {
                System.out.println("e2e: promtool is not installed; the exposition is checked by PrometheusText only");
            }
            PrometheusText.Exposition exposition = PrometheusText.parse(text);
            assertThat(exposition.lint()).as("promtool's lint rules").isEmpty();

            assertThat(exposition.family("fondation_job_duration_seconds").type())
                    .isEqualTo("histogram");
            assertThat(exposition.value("fondation_job_duration_seconds_count")).isEqualTo(3);
            assertThat(exposition.value("fondation_job_duration_seconds_bucket", Map.of("le", "3600.0")))
                    .isEqualTo(3);
            assertThat(exposition.value("fondation_job_pickup_latency_seconds_count"))
                    .as("the embedded queue tells since when each job was due")
                    .isEqualTo(3);
            assertThat(exposition.value("fondation_job_pickup_latency_seconds_sum"))
                    .isEqualTo(270);
            assertThat(exposition.value("fondation_job_pickup_latency_seconds_bucket", Map.of("le", "60.0")))
                    .isZero();
            assertThat(exposition.value("fondation_job_pickup_latency_seconds_bucket", Map.of("le", "120.0")))
                    .isEqualTo(3);
            assertThat(exposition.value("fondation_clone_duration_seconds_count"))
                    .isEqualTo(3);
            Map<String, Double> steps =
                    Map.of("workspace", 3.0, "clone", 3.0, "analyze", 3.0, "gather", 2.0, "complete", 2.0);
            steps.forEach((step, count) -> assertThat(
                            exposition.value("fondation_job_step_duration_seconds_count", Map.of("step", step)))
                    .as(step)
                    .isEqualTo(count));
            for (String outcome : WorkerMetrics.OUTCOMES) {
                double expected = outcome.equals("completed") ? 2 : outcome.equals("retry_scheduled") ? 1 : 0;
                assertThat(exposition.value("fondation_attempts_total", Map.of("outcome", outcome)))
                        .as(outcome)
                        .isEqualTo(expected);
            }
            assertThat(exposition.value("fondation_jobs_claimed_total")).isEqualTo(3);
            assertThat(exposition.value("fondation_resume_cost_saved_usd_total"))
                    .as("the cost resumes saved (issue 23), in US dollars: the command analyzer keeps no checkpoint")
                    .isZero();
            assertThat(exposition.value("fondation_jobs_active")).isZero();
            assertThat(exposition.value("fondation_worker_slots")).isEqualTo(1);
            assertThat(exposition.value("fondation_queue_jobs", Map.of("status", "pending")))
                    .as("the failing job waits for its retry")
                    .isEqualTo(1);
            // The depth an autoscaler scales on: the failing job is pending but in its retry's backoff, not due.
            assertThat(exposition.family("fondation_queue_depth").type()).isEqualTo("gauge");
            assertThat(exposition.value("fondation_queue_depth", Map.of("count", "pending")))
                    .isEqualTo(1);
            assertThat(exposition.value("fondation_queue_depth", Map.of("count", "due")))
                    .as("in its backoff")
                    .isZero();
            assertThat(exposition.value("fondation_queue_depth", Map.of("count", "paused")))
                    .isZero();
            assertThat(exposition.value("fondation_queue_depth_wanted")).isZero();
            assertThat(exposition.value("fondation_heartbeats_total", Map.of("result", "ok")))
                    .isPositive();
            // JVM, process and file-descriptor binders, in base units.
            assertThat(exposition.value("jvm_memory_used_bytes", Map.of("area", "heap", "id", "G1 Old Gen")))
                    .isPositive();
            assertThat(exposition.value("process_files_open_files")).isPositive();
            assertThat(exposition.value("process_cpu_seconds_total")).isPositive();
            assertThat(exposition.families()).containsKeys("jvm_threads_live_threads", "process_uptime_seconds");

            dashboardQueriesOnlyExposedMetrics(exposition);

            JsonNode json =
                    new ObjectMapper().readTree(LocalHttp.get(port, "/metrics").body());
            assertThat(json.get("jobs_total").asLong()).isEqualTo(3);
            assertThat(json.get("jobs_succeeded_total").asLong()).isEqualTo(2);
            assertThat(json.get("jobs_failed_total").asLong()).isEqualTo(1);
            assertThat(json.get("jobs_active").asInt()).isZero();
            assertThat(json.get("jobs_duration_average_ms").asLong()).isPositive();
            assertThat(json.get("queue_depth").toString())
                    .isEqualTo("{\"pending\":1,\"due\":0,\"running\":0,\"paused\":0,\"wanted\":0}");
            assertThat(fixture.job(failing).status()).isEqualTo(JobStatus.PENDING);
        }
    }

    /**
     * docs/grafana/fondation-worker.json asks only for metrics this worker exposes, and its queries are valid
     * PromQL ({@code promtool check rules} on them, when promtool is installed).
     */
    private void dashboardQueriesOnlyExposedMetrics(PrometheusText.Exposition exposition) throws Exception {
        Path dashboard = Path.of(System.getProperty("basedir", "."))
                .toAbsolutePath()
                .getParent()
                .resolve("docs/grafana/fondation-worker.json");
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : new ObjectMapper().readTree(dashboard.toFile()).get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.get("expr").asText());
            }
        }
        assertThat(queries).hasSizeGreaterThan(15);
        Set<String> samples = new HashSet<>();
        exposition.families().values().forEach(f -> f.samples().forEach(sample -> samples.add(sample.name())));
        Matcher metric = Pattern.compile("\\b(fondation|jvm|process)_[a-z_]+").matcher(String.join("\n", queries));
        while (metric.find()) {
            assertThat(samples).as("the dashboard's " + metric.group()).contains(metric.group());
        }
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String expr = queries.get(i).replace("$__rate_interval", "1m").replace("$instance", ".*");
            rules.append("      - record: dashboard:query")
                    .append(i)
                    .append("\n        expr: '")
                    .append(expr.replace("'", "''"))
                    .append("'\n");
        }
        Path file = Files.writeString(temp.resolve("dashboard-rules.yml"), rules);
        Optional<Promtool.Result> checked = Promtool.run("check", "rules", file.toString());
        checked.ifPresent(
                result -> assertThat(result.exitCode()).as(result.output()).isZero());
    }

    private static double depthCount(int port, String count) throws IOException, InterruptedException {
        return PrometheusText.parse(LocalHttp.get(port, "/metrics/prometheus").body())
                .value("fondation_queue_depth", Map.of("count", count));
    }

    private static double queueDepth(int port, String status) throws IOException, InterruptedException {
        return PrometheusText.parse(LocalHttp.get(port, "/metrics/prometheus").body())
                .value("fondation_queue_jobs", Map.of("status", status));
    }
}
