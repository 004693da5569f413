package io.fondation.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The format checker that stands in for promtool finds what promtool finds. */
class PrometheusTextTest {

    private static final String GOOD = """
            # HELP jobs_total Jobs claimed
            # TYPE jobs_total counter
            jobs_total{outcome="a \\"quoted\\" one"} 3.0
            jobs_total{outcome="b"} 1 1700000000000
            # HELP wait_seconds Wait before a claim
            # TYPE wait_seconds histogram
            wait_seconds_bucket{le="0.5"} 1
            wait_seconds_bucket{le="1.0"} 2
            wait_seconds_bucket{le="+Inf"} 3
            wait_seconds_count 3
            wait_seconds_sum 4.5
            # HELP depth Jobs by status
            # TYPE depth gauge
            depth{status="pending"} NaN
            """;

    @Test
    void readsFamiliesSamplesAndEscapes() {
        PrometheusText.Exposition exposition = PrometheusText.parse(GOOD);

        assertThat(exposition.families()).containsOnlyKeys("jobs_total", "wait_seconds", "depth");
        assertThat(exposition.family("wait_seconds").type()).isEqualTo("histogram");
        assertThat(exposition.family("wait_seconds").samples()).hasSize(5);
        assertThat(exposition.value("jobs_total", Map.of("outcome", "a \"quoted\" one")))
                .isEqualTo(3.0);
        assertThat(exposition.value("wait_seconds_count")).isEqualTo(3.0);
        assertThat(exposition.value("depth", Map.of("status", "pending"))).isNaN();
        assertThat(exposition.lint()).isEmpty();
    }

    @Test
    void refusesWhatThePrometheusParserRefuses() {
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("line feed");
        assertThatThrownBy(() -> PrometheusText.parse("a{b=\"c} 1\n")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> PrometheusText.parse("a{b=c} 1\n")).hasMessageContaining("not quoted");
        assertThatThrownBy(() -> PrometheusText.parse("a one\n")).hasMessageContaining("not a float");
        assertThatThrownBy(() -> PrometheusText.parse("1a 1\n")).hasMessageContaining("invalid metric name");
        assertThatThrownBy(() -> PrometheusText.parse("a{__b=\"c\"} 1\n")).hasMessageContaining("invalid label name");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("second sample");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\n# TYPE a counter\n"))
                .hasMessageContaining("second TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\n# TYPE a gauge\n"))
                .hasMessageContaining("after its samples");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\nb 1\na{x=\"y\"} 1\n"))
                .hasMessageContaining("one group");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a summery\n"))
                .hasMessageContaining("unknown metric type");
    }

    @Test
    void refusesBrokenHistograms() {
        String head = "# HELP h_seconds h\n# TYPE h_seconds histogram\n";
        assertThatThrownBy(() -> PrometheusText.parse(head + "h_seconds_bucket{le=\"1\"} 2\nh_seconds_count 2\n"))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> PrometheusText.parse(
                        head + "h_seconds_bucket{le=\"1\"} 2\nh_seconds_bucket{le=\"+Inf\"} 1\nh_seconds_count 1\n"))
                .hasMessageContaining("not cumulative");
        assertThatThrownBy(() -> PrometheusText.parse(head + "h_seconds_bucket{le=\"+Inf\"} 2\nh_seconds_count 3\n"))
                .hasMessageContaining("is not _count");
    }

    @Test
    void lintsLikePromtool() {
        // The two names Micrometer's binders write that promtool reported, before JvmMeters renamed them.
        String text = """
                # HELP process_cpu_time_ns_total CPU
                # TYPE process_cpu_time_ns_total counter
                process_cpu_time_ns_total 9.0E9
                # HELP system_cpu_count CPUs
                # TYPE system_cpu_count gauge
                system_cpu_count 2.0
                # TYPE requests counter
                requests 1
                # HELP job_duration_milliseconds d
                # TYPE job_duration_milliseconds gauge
                job_duration_milliseconds 1
                # HELP queue_gauge q
                # TYPE queue_gauge gauge
                queue_gauge{jobStatus="x"} 1
                """;
        assertThat(PrometheusText.parse(text).lint())
                .containsExactlyInAnyOrder(
                        "process_cpu_time_ns_total metric names should not contain abbreviated units",
                        "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix",
                        "requests no help text",
                        "requests counter metrics should have \"_total\" suffix",
                        "job_duration_milliseconds use base unit \"seconds\" instead of \"milliseconds\"",
                        "queue_gauge metric name should not include type 'gauge'",
                        "queue_gauge label names should be written in 'snake_case' not 'camelCase'");
    }
}
