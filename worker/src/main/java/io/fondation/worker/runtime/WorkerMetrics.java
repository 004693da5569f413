package io.fondation.worker.runtime;

import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's meters, in a Micrometer {@link MeterRegistry}. {@link #snapshot()} gives them under the
 * names the existing {@code /metrics} endpoint used ({@code jobs_total}, {@code jobs_succeeded_total},
 * ...), which dashboards already read.
 */
public final class WorkerMetrics {

    public static final String JOBS_CLAIMED = "fondation.jobs.claimed";
    public static final String JOBS_SUCCEEDED = "fondation.jobs.succeeded";
    public static final String JOBS_FAILED = "fondation.jobs.failed";
    public static final String JOBS_CANCELED = "fondation.jobs.canceled";
    public static final String JOBS_RELEASED = "fondation.jobs.released";
    public static final String JOBS_ACTIVE = "fondation.jobs.active";
    public static final String JOB_DURATION = "fondation.job.duration";
    public static final String CLONE_DURATION = "fondation.clone.duration";
    public static final String ANALYZER_COST = "fondation.analyzer.cost.usd";
    public static final String ANALYZER_TOKENS = "fondation.analyzer.tokens";
    public static final String POLLS = "fondation.queue.polls";
    public static final String QUEUE_ERRORS = "fondation.queue.errors";
    public static final String HEARTBEATS = "fondation.heartbeats";

    private final AtomicInteger active = new AtomicInteger();
    private final Counter claimed;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter canceled;
    private final Counter released;
    private final Timer jobDuration;
    private final Timer cloneDuration;
    private final Counter cost;
    private final Counter inputTokens;
    private final Counter outputTokens;
    private final Counter polls;
    private final Counter queueErrors;
    private final Counter heartbeatsOk;
    private final Counter heartbeatsFailed;

    public WorkerMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        claimed = Counter.builder(JOBS_CLAIMED).description("jobs claimed").register(registry);
        succeeded =
                Counter.builder(JOBS_SUCCEEDED).description("jobs completed").register(registry);
        failed = Counter.builder(JOBS_FAILED)
                .description("attempts that failed (retried or not)")
                .register(registry);
        canceled = Counter.builder(JOBS_CANCELED)
                .description("jobs stopped by a cancel request")
                .register(registry);
        released = Counter.builder(JOBS_RELEASED)
                .description("jobs let go without spending an attempt")
                .register(registry);
        Gauge.builder(JOBS_ACTIVE, active, AtomicInteger::get)
                .description("jobs running now")
                .register(registry);
        jobDuration =
                Timer.builder(JOB_DURATION).description("claim to end of a job").register(registry);
        cloneDuration =
                Timer.builder(CLONE_DURATION).description("repository clone").register(registry);
        cost = Counter.builder(ANALYZER_COST)
                .description("LLM cost reported by the analyzer")
                .baseUnit("usd")
                .register(registry);
        inputTokens = Counter.builder(ANALYZER_TOKENS).tag("direction", "input").register(registry);
        outputTokens =
                Counter.builder(ANALYZER_TOKENS).tag("direction", "output").register(registry);
        polls = Counter.builder(POLLS).description("claim calls").register(registry);
        queueErrors = Counter.builder(QUEUE_ERRORS)
                .description("queue calls that failed")
                .register(registry);
        heartbeatsOk = Counter.builder(HEARTBEATS).tag("result", "ok").register(registry);
        heartbeatsFailed = Counter.builder(HEARTBEATS).tag("result", "failed").register(registry);
    }

    void jobStarted() {
        claimed.increment();
        active.incrementAndGet();
    }

    void jobEnded(Duration duration) {
        active.decrementAndGet();
        jobDuration.record(duration.isNegative() ? Duration.ZERO : duration);
    }

    void succeeded() {
        succeeded.increment();
    }

    void failed() {
        failed.increment();
    }

    void canceled() {
        canceled.increment();
    }

    void released() {
        released.increment();
    }

    void cloned(Duration duration) {
        cloneDuration.record(duration.isNegative() ? Duration.ZERO : duration);
    }

    void polled() {
        polls.increment();
    }

    void queueError() {
        queueErrors.increment();
    }

    void heartbeat(boolean ok) {
        (ok ? heartbeatsOk : heartbeatsFailed).increment();
    }

    /** Adds the cost and token counts found in an analysis report's details. */
    void analyzerUsage(Map<String, Object> details) {
        number(details.get(ClaudeRunSummary.TOTAL_COST_USD)).ifPresent(cost::increment);
        number(details.get(ClaudeRunSummary.INPUT_TOKENS)).ifPresent(inputTokens::increment);
        number(details.get(ClaudeRunSummary.OUTPUT_TOKENS)).ifPresent(outputTokens::increment);
    }

    private static java.util.OptionalDouble number(Object value) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
            return java.util.OptionalDouble.of(n.doubleValue());
        }
        return java.util.OptionalDouble.empty();
    }

    /** The meters under the names of the existing {@code /metrics} endpoint, in a stable order. */
    public Map<String, Number> snapshot() {
        Map<String, Number> out = new LinkedHashMap<>();
        out.put("jobs_total", (long) claimed.count());
        out.put("jobs_succeeded_total", (long) succeeded.count());
        out.put("jobs_failed_total", (long) failed.count());
        out.put("jobs_canceled_total", (long) canceled.count());
        out.put("jobs_released_total", (long) released.count());
        out.put("jobs_active", active.get());
        out.put("jobs_duration_count", jobDuration.count());
        out.put("jobs_duration_average_ms", Math.round(jobDuration.mean(TimeUnit.MILLISECONDS)));
        out.put("jobs_duration_max_ms", Math.round(jobDuration.max(TimeUnit.MILLISECONDS)));
        out.put("clone_duration_average_ms", Math.round(cloneDuration.mean(TimeUnit.MILLISECONDS)));
        out.put("analyzer_cost_usd_total", cost.count());
        out.put("analyzer_input_tokens_total", (long) inputTokens.count());
        out.put("analyzer_output_tokens_total", (long) outputTokens.count());
        out.put("polls_total", (long) polls.count());
        out.put("queue_errors_total", (long) queueErrors.count());
        out.put("heartbeats_total", (long) heartbeatsOk.count());
        out.put("heartbeat_failures_total", (long) heartbeatsFailed.count());
        return out;
    }
}
