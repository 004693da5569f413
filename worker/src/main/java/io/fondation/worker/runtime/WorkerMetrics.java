package io.fondation.worker.runtime;

import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's meters, in a Micrometer {@link MeterRegistry} (the caller's, or the worker's own). Attempt
 * outcomes are one counter tagged by {@link AttemptOutcome#name()}. {@link #snapshot()} gives the counters under
 * the names the existing {@code /metrics} endpoint used ({@code jobs_total}, {@code jobs_succeeded_total}, ...),
 * which dashboards already read.
 */
public final class WorkerMetrics {

    public static final String JOBS_CLAIMED = "fondation.jobs.claimed";
    public static final String ATTEMPTS = "fondation.attempts";
    public static final String JOBS_ACTIVE = "fondation.jobs.active";
    public static final String JOB_DURATION = "fondation.job.duration";
    public static final String CLONE_DURATION = "fondation.clone.duration";
    public static final String ANALYZER_COST = "fondation.analyzer.cost.usd";
    public static final String ANALYZER_TOKENS = "fondation.analyzer.tokens";
    public static final String ANALYZER_TURNS = "fondation.analyzer.turns";
    public static final String ANALYZER_DURATION = "fondation.analyzer.duration";
    public static final String ANALYZER_WRITES_OUTSIDE = "fondation.analyzer.writes.outside";
    public static final String FILES_LEFT_OUT = "fondation.output.files.left.out";
    public static final String POLLS = "fondation.queue.polls";
    public static final String QUEUE_ERRORS = "fondation.queue.errors";
    public static final String HEARTBEATS = "fondation.heartbeats";
    public static final String WORKER_FAULTS = "fondation.worker.faults";

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Counter claimed;
    private final Timer jobDuration;
    private final Timer cloneDuration;
    private final Counter cost;
    private final Counter inputTokens;
    private final Counter outputTokens;
    private final Counter turns;
    private final Timer analyzerDuration;
    private final Counter writesOutside;
    private final Counter filesLeftOut;
    private final Counter polls;
    private final Counter queueErrors;
    private final Counter heartbeatsOk;
    private final Counter heartbeatsFailed;
    private final Counter workerFaults;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        claimed = Counter.builder(JOBS_CLAIMED).description("jobs claimed").register(registry);
        Gauge.builder(JOBS_ACTIVE, active, AtomicInteger::get)
                .description("jobs running now")
                .register(registry);
        jobDuration = Timer.builder(JOB_DURATION)
                .description("claim to end of an attempt")
                .register(registry);
        cloneDuration =
                Timer.builder(CLONE_DURATION).description("repository clone").register(registry);
        cost = Counter.builder(ANALYZER_COST)
                .description("LLM cost reported by the analyzer")
                .baseUnit("usd")
                .register(registry);
        inputTokens = Counter.builder(ANALYZER_TOKENS).tag("direction", "input").register(registry);
        outputTokens =
                Counter.builder(ANALYZER_TOKENS).tag("direction", "output").register(registry);
        turns = Counter.builder(ANALYZER_TURNS)
                .description("LLM turns reported by the analyzer (Claude Code's num_turns)")
                .register(registry);
        analyzerDuration = Timer.builder(ANALYZER_DURATION)
                .description("analyzer runs, start to exit")
                .register(registry);
        writesOutside = Counter.builder(ANALYZER_WRITES_OUTSIDE)
                .description("attempts of the analyzer to write outside its output directory (each fails its run)")
                .register(registry);
        filesLeftOut = Counter.builder(FILES_LEFT_OUT)
                .description("output files left out of a course (empty, not UTF-8)")
                .register(registry);
        polls = Counter.builder(POLLS).description("claim calls").register(registry);
        queueErrors = Counter.builder(QUEUE_ERRORS)
                .description("queue calls that failed")
                .register(registry);
        heartbeatsOk = Counter.builder(HEARTBEATS).tag("result", "ok").register(registry);
        heartbeatsFailed = Counter.builder(HEARTBEATS).tag("result", "failed").register(registry);
        workerFaults = Counter.builder(WORKER_FAULTS)
                .description("faults of the worker itself (the jobs were released)")
                .register(registry);
        for (String name : new String[] {
            "completed", "retry_scheduled", "failed", "dead", "released", "canceled", "lease_lost", "abandoned"
        }) {
            outcome(name);
        }
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    private Counter outcome(String name) {
        return outcomes.computeIfAbsent(
                name,
                n -> Counter.builder(ATTEMPTS)
                        .description("attempts by how they ended")
                        .tag("outcome", n)
                        .register(registry));
    }

    void jobStarted() {
        claimed.increment();
        active.incrementAndGet();
    }

    void jobEnded(AttemptOutcome ended, Duration duration) {
        active.decrementAndGet();
        jobDuration.record(duration.isNegative() ? Duration.ZERO : duration);
        outcome(ended.name()).increment();
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

    void workerFault() {
        workerFaults.increment();
    }

    /**
     * Adds what an analysis report's details say of a run: cost, tokens and turns (Claude Code's result), the
     * analyzer's run time, its attempts to write outside its output directory, and the files left out.
     */
    void analyzerUsage(Map<String, Object> details) {
        number(details.get(ClaudeRunSummary.NUM_TURNS)).ifPresent(turns::increment);
        number(details.get(AnalysisRunner.DURATION_MS))
                .ifPresent(ms -> analyzerDuration.record(Duration.ofMillis((long) ms)));
        number(details.get(AnalysisRunner.WRITES_OUTSIDE)).ifPresent(writesOutside::increment);
        number(details.get(ClaudeRunSummary.TOTAL_COST_USD)).ifPresent(cost::increment);
        number(details.get(ClaudeRunSummary.INPUT_TOKENS)).ifPresent(inputTokens::increment);
        number(details.get(ClaudeRunSummary.OUTPUT_TOKENS)).ifPresent(outputTokens::increment);
        number(details.get(AnalysisRunner.FILES_LEFT_OUT)).ifPresent(filesLeftOut::increment);
    }

    private static OptionalDouble number(Object value) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
            return OptionalDouble.of(n.doubleValue());
        }
        return OptionalDouble.empty();
    }

    private long count(String outcomeName) {
        return (long) outcome(outcomeName).count();
    }

    /** The meters under the names of the existing {@code /metrics} endpoint, in a stable order. */
    public Map<String, Number> snapshot() {
        Map<String, Number> out = new LinkedHashMap<>();
        out.put("jobs_total", (long) claimed.count());
        out.put("jobs_succeeded_total", count("completed"));
        out.put("jobs_failed_total", count("retry_scheduled") + count("failed") + count("dead"));
        out.put("jobs_dead_total", count("dead"));
        out.put("jobs_canceled_total", count("canceled"));
        out.put("jobs_released_total", count("released"));
        out.put("jobs_lease_lost_total", count("lease_lost"));
        out.put("jobs_abandoned_total", count("abandoned"));
        out.put("jobs_active", active.get());
        out.put("jobs_duration_count", jobDuration.count());
        out.put("jobs_duration_average_ms", Math.round(jobDuration.mean(TimeUnit.MILLISECONDS)));
        out.put("jobs_duration_max_ms", Math.round(jobDuration.max(TimeUnit.MILLISECONDS)));
        out.put("clone_duration_average_ms", Math.round(cloneDuration.mean(TimeUnit.MILLISECONDS)));
        out.put("analyzer_cost_usd_total", cost.count());
        out.put("analyzer_input_tokens_total", (long) inputTokens.count());
        out.put("analyzer_output_tokens_total", (long) outputTokens.count());
        out.put("analyzer_turns_total", (long) turns.count());
        out.put("analyzer_runs_total", analyzerDuration.count());
        out.put("analyzer_duration_average_ms", Math.round(analyzerDuration.mean(TimeUnit.MILLISECONDS)));
        out.put("analyzer_writes_outside_total", (long) writesOutside.count());
        out.put("output_files_left_out_total", (long) filesLeftOut.count());
        out.put("polls_total", (long) polls.count());
        out.put("queue_errors_total", (long) queueErrors.count());
        out.put("heartbeats_total", (long) heartbeatsOk.count());
        out.put("heartbeat_failures_total", (long) heartbeatsFailed.count());
        out.put("worker_faults_total", (long) workerFaults.count());
        return out;
    }
}
