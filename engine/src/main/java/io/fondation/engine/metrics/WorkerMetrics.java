package io.fondation.engine.metrics;

import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's meters, in a Micrometer {@link MeterRegistry} (the caller's, or the worker's own Prometheus one).
 * Names follow Micrometer's conventions, which the Prometheus registry turns into Prometheus's: timers in seconds
 * with histogram buckets ({@code fondation_job_duration_seconds_bucket}), counters ending in {@code _total}.
 *
 * <p>Attempt outcomes are one counter, {@value #ATTEMPTS}, tagged {@code outcome} ({@link #outcomeTag}): the name
 * of the {@link AttemptOutcome}, except that a release says why ({@code released} on shutdown,
 * {@code worker_fault}, {@code lease_deadline}). {@link #snapshot()} gives the counters under the names the
 * existing {@code /metrics} endpoint used ({@code jobs_total}, {@code jobs_succeeded_total}, ...), which the web app
 * and old dashboards read.
 *
 * <p>The meters are moved by the worker's {@link WorkerEvent}s only: this is one of the sinks of its event channel.
 */
public final class WorkerMetrics implements EventSink {

    public static final String JOBS_CLAIMED = "fondation.jobs.claimed";
    public static final String ATTEMPTS = "fondation.attempts";
    public static final String JOBS_ACTIVE = "fondation.jobs.active";
    public static final String WORKER_SLOTS = "fondation.worker.slots";
    public static final String JOB_DURATION = "fondation.job.duration";
    public static final String STEP_DURATION = "fondation.job.step.duration";
    public static final String PICKUP_LATENCY = "fondation.job.pickup.latency";
    public static final String CLONE_DURATION = "fondation.clone.duration";
    public static final String ANALYZER_COST = "fondation.analyzer.cost";
    public static final String ANALYZER_TOKENS = "fondation.analyzer.tokens";
    public static final String ANALYZER_TURNS = "fondation.analyzer.turns";
    public static final String ANALYZER_DURATION = "fondation.analyzer.duration";
    public static final String ANALYZER_WRITES_OUTSIDE = "fondation.analyzer.writes.outside";
    public static final String FILES_LEFT_OUT = "fondation.output.files.left.out";
    public static final String POLLS = "fondation.queue.polls";
    public static final String QUEUE_ERRORS = "fondation.queue.errors";
    public static final String HEARTBEATS = "fondation.heartbeats";
    public static final String WORKER_FAULTS = "fondation.worker.faults";
    public static final String PUSH_LIVE = "fondation.queue.push.live";
    public static final String RESUME_STEPS = "fondation.resume.steps";
    public static final String RESUME_FILES_RESTORED = "fondation.resume.files.restored";
    public static final String CHECKPOINT_FILES_SAVED = "fondation.checkpoint.files.saved";
    /**
     * LLM cost, in US dollars, that resumed attempts did not pay again (issue 23): for each attempt that keeps at
     * least one step of its job's checkpoint, the cost the job's earlier attempts reported (the claim's {@code
     * costUsd}). An upper bound of what the kept steps cost, blind to attempts that reported no cost (killed, released,
     * lease lost, the Fondation CLI, which reports none); see docs/operations.md, "What a retry costs".
     */
    public static final String RESUME_COST_SAVED = "fondation.resume.cost.saved";
    /** Seconds until the queue's pause for this worker's LLM credential ends; 0 while none holds (issue 22). */
    public static final String LLM_PAUSE_REMAINING = "fondation.llm.pause.remaining";

    /** Every value of the {@code outcome} tag of {@value #ATTEMPTS}. */
    public static final List<String> OUTCOMES = List.of(
            "completed",
            "retry_scheduled",
            "failed",
            "dead",
            "canceled",
            "released",
            "worker_fault",
            "lease_deadline",
            "lease_lost",
            "abandoned");

    // Histogram buckets (le) in seconds. Jobs run up to ANALYZER_TIMEOUT (1 h by default); a dry run takes under one.
    private static final Duration[] JOB_BUCKETS =
            seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400);
    private static final Duration[] CLONE_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    private static final Duration[] PICKUP_BUCKETS =
            seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200);

    /** The named steps of one attempt ({@code JobAttempt}), the values of the {@code step} tag. */
    public enum Step {
        WORKSPACE,
        CLONE,
        ANALYZE,
        GATHER,
        COMPLETE;

        /** The tag value: the lower-case name. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<Step, Timer> steps = new EnumMap<>(Step.class);
    private final Counter claimed;
    private final Timer jobDuration;
    private final Timer pickupLatency;
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
    private final Counter stepsResumed;
    private final Counter stepsRerun;
    private final Counter filesRestored;
    private final Counter costSaved;
    private final Counter checkpointFilesSaved;
    private final Counter heartbeatsFailed;
    private final Counter workerFaults;
    private final AttemptSteps attemptSteps;
    private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> pausedUntil =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Meters of a worker with one job slot. */
    public WorkerMetrics(MeterRegistry registry) {
        this(registry, 1);
    }

    /**
     * Registers the worker's meters in {@code registry}.
     *
     * @param slots {@code MAX_CONCURRENT_JOBS}, published as {@value #WORKER_SLOTS} so dashboards can show how busy
     *     the workers are
     */
    public WorkerMetrics(MeterRegistry registry, int slots) {
        this.registry = Objects.requireNonNull(registry, "registry");
        claimed = Counter.builder(JOBS_CLAIMED).description("Jobs claimed").register(registry);
        Gauge.builder(JOBS_ACTIVE, active, AtomicInteger::get)
                .description("Jobs running now")
                .register(registry);
        Gauge.builder(WORKER_SLOTS, () -> slots)
                .description("Jobs this worker runs at once (MAX_CONCURRENT_JOBS)")
                .register(registry);
        jobDuration = Timer.builder(JOB_DURATION)
                .description("Claim to end of an attempt, whatever its outcome")
                .serviceLevelObjectives(JOB_BUCKETS)
                .register(registry);
        for (Step step : Step.values()) {
            steps.put(
                    step,
                    Timer.builder(STEP_DURATION)
                            .description("Time an attempt spent in each step; the step it ended in includes its"
                                    + " final write to the queue")
                            .tag("step", step.tag())
                            .serviceLevelObjectives(JOB_BUCKETS)
                            .register(registry));
        }
        pickupLatency = Timer.builder(PICKUP_LATENCY)
                .description("From the time a job was due (created, retry backoff ended, released) to its claim")
                .serviceLevelObjectives(PICKUP_BUCKETS)
                .register(registry);
        cloneDuration = Timer.builder(CLONE_DURATION)
                .description("Repository clones that succeeded")
                .serviceLevelObjectives(CLONE_BUCKETS)
                .register(registry);
        cost = Counter.builder(ANALYZER_COST)
                .description("LLM cost the analyzer reported, in US dollars")
                .baseUnit("usd")
                .register(registry);
        inputTokens = tokens("input");
        outputTokens = tokens("output");
        turns = Counter.builder(ANALYZER_TURNS)
                .description("LLM turns the analyzer reported (Claude Code's num_turns)")
                .register(registry);
        analyzerDuration = Timer.builder(ANALYZER_DURATION)
                .description("Analyzer runs, start to exit")
                .serviceLevelObjectives(JOB_BUCKETS)
                .register(registry);
        writesOutside = Counter.builder(ANALYZER_WRITES_OUTSIDE)
                .description("Attempts of the analyzer to write outside its output directory (each fails its run)")
                .register(registry);
        filesLeftOut = Counter.builder(FILES_LEFT_OUT)
                .description("Output files left out of a course (empty, not UTF-8)")
                .register(registry);
        polls = Counter.builder(POLLS).description("Claim calls to the queue").register(registry);
        queueErrors = Counter.builder(QUEUE_ERRORS)
                .description("Queue calls that failed (claims and final writes)")
                .register(registry);
        heartbeatsOk = heartbeats("ok");
        heartbeatsFailed = heartbeats("failed");
        workerFaults = Counter.builder(WORKER_FAULTS)
                .description("Faults of the worker itself (analyzer missing, disk full, credential refused)")
                .register(registry);
        stepsResumed = Counter.builder(RESUME_STEPS)
                .description("Analysis steps an attempt did not run because its job's checkpoint had them (resumed),"
                        + " and steps it ran (rerun)")
                .tag("kind", "resumed")
                .register(registry);
        stepsRerun = Counter.builder(RESUME_STEPS)
                .description("Analysis steps an attempt did not run because its job's checkpoint had them (resumed),"
                        + " and steps it ran (rerun)")
                .tag("kind", "rerun")
                .register(registry);
        filesRestored = Counter.builder(RESUME_FILES_RESTORED)
                .description("Output files restored from job checkpoints into attempts' output directories")
                .register(registry);
        costSaved = Counter.builder(RESUME_COST_SAVED)
                .description("LLM cost resumed attempts did not pay again, in US dollars: the cost the job's earlier"
                        + " attempts reported, counted when an attempt keeps at least one step of their checkpoint"
                        + " (at most what the kept steps cost; attempts that reported no cost count nothing)")
                .baseUnit("usd")
                .register(registry);
        checkpointFilesSaved = Counter.builder(CHECKPOINT_FILES_SAVED)
                .description("Output files saved into job checkpoints")
                .register(registry);
        OUTCOMES.forEach(this::outcome);
        attemptSteps = new AttemptSteps(this, System::nanoTime);
    }

    /** Moves the meters an event concerns. */
    @Override
    public void publish(WorkerEvent event) {
        if (event instanceof WorkerEvent.JobClaimed claimed) {
            jobStarted();
            attemptSteps.claimed(claimed.job().id());
            if (claimed.job().dueAt() != null) {
                // The queue's clock against ours: a little skew can make it negative, which counts as zero.
                pickupLatency.record(positive(Duration.between(claimed.job().dueAt(), claimed.at())));
            }
        } else if (event instanceof WorkerEvent.PhaseEntered entered) {
            attemptSteps.phase(entered.job().id(), entered.phase());
        } else if (event instanceof WorkerEvent.Completing completing) {
            attemptSteps.completing(completing.job().id());
        } else if (event instanceof WorkerEvent.RepositoryCloned cloned) {
            cloneDuration.record(positive(cloned.repository().duration()));
        } else if (event instanceof WorkerEvent.AnalyzerReported reported) {
            analyzerUsage(reported.details());
        } else if (event instanceof WorkerEvent.AttemptEnded ended) {
            attemptSteps.ended(ended.job().id());
            jobEnded(ended.outcome(), ended.took());
        } else if (event instanceof WorkerEvent.ClaimsPaused paused) {
            pausedUntil.set(paused.until());
        } else if (event instanceof WorkerEvent.ClaimAnswered answered) {
            polls.increment();
            if (answered.claimed()) {
                pausedUntil.set(null);
            }
        } else if (event instanceof WorkerEvent.ClaimFailed) {
            polls.increment();
            queueErrors.increment();
        } else if (event instanceof WorkerEvent.WriteFailed) {
            queueErrors.increment();
        } else if (event instanceof WorkerEvent.HeartbeatSent) {
            heartbeatsOk.increment();
        } else if (event instanceof WorkerEvent.HeartbeatFailed) {
            heartbeatsFailed.increment();
        } else if (event instanceof WorkerEvent.AttemptResumed resumed) {
            stepsResumed.increment(resumed.stepsResumed());
            stepsRerun.increment(resumed.stepsRerun());
            filesRestored.increment(resumed.filesRestored());
            costSaved.increment(resumed.costSavedUsd().doubleValue());
        } else if (event instanceof WorkerEvent.CheckpointSaved) {
            checkpointFilesSaved.increment();
        } else if (event instanceof WorkerEvent.WorkerFaultFound) {
            workerFaults.increment();
        }
    }

    /**
     * Publishes {@value #PUSH_LIVE}: 1 while the queue pushes news of work to this worker, 0 while it polls at
     * {@code POLL_INTERVAL} (no push, a socket being retried, a compatibility-mode queue whose pending jobs are not
     * due yet).
     */
    public void pushLive(java.util.function.BooleanSupplier live) {
        Gauge.builder(PUSH_LIVE, live, l -> l.getAsBoolean() ? 1 : 0)
                .description("1 while the queue pushes news of work to this worker, 0 while it polls")
                .register(registry);
    }

    /**
     * Publishes {@value #LLM_PAUSE_REMAINING}: the seconds, on {@code clock}, until the fleet's pause for this
     * worker's LLM credential ends (0 while none holds). The releases it causes count in {@value #ATTEMPTS} with
     * {@code outcome=rate_limited}; what attempts cost, in {@value #ANALYZER_COST}.
     */
    public void llmPause(java.time.Clock clock) {
        Gauge.builder(LLM_PAUSE_REMAINING, pausedUntil, until -> {
                    java.time.Instant end = until.get();
                    if (end == null) {
                        return 0;
                    }
                    double left = Duration.between(clock.instant(), end).toMillis() / 1000.0;
                    return Math.max(left, 0);
                })
                .description("Seconds until the fleet's pause for this worker's LLM credential ends; 0 while none")
                .baseUnit("seconds")
                .register(registry);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    private Counter tokens(String direction) {
        return Counter.builder(ANALYZER_TOKENS)
                .description("LLM tokens the analyzer reported")
                .tag("direction", direction)
                .register(registry);
    }

    private Counter heartbeats(String result) {
        return Counter.builder(HEARTBEATS)
                .description("Heartbeats sent, by result")
                .tag("result", result)
                .register(registry);
    }

    private Counter outcome(String name) {
        return outcomes.computeIfAbsent(
                name,
                n -> Counter.builder(ATTEMPTS)
                        .description("Attempts by how they ended")
                        .tag("outcome", n)
                        .register(registry));
    }

    /**
     * The {@code outcome} tag of an attempt: its {@link AttemptOutcome#name()}, or for a release its reason
     * ({@code released} on shutdown, {@code worker_fault}, {@code lease_deadline}).
     */
    public static String outcomeTag(AttemptOutcome outcome) {
        if (outcome instanceof AttemptOutcome.Released released) {
            return switch (released.reason()) {
                case SHUTDOWN -> "released";
                case WORKER_FAULT -> "worker_fault";
                case LEASE_DEADLINE -> "lease_deadline";
                case RATE_LIMITED -> "rate_limited";
            };
        }
        return outcome.name();
    }

    private void jobStarted() {
        claimed.increment();
        active.incrementAndGet();
    }

    void stepEnded(Step step, Duration took) {
        steps.get(step).record(positive(took));
    }

    private void jobEnded(AttemptOutcome ended, Duration duration) {
        active.decrementAndGet();
        jobDuration.record(positive(duration));
        outcome(outcomeTag(ended)).increment();
    }

    /**
     * Adds what an analysis report's details say of a run: cost, tokens and turns (Claude Code's result), the
     * analyzer's run time, its attempts to write outside its output directory, and the files left out.
     */
    private void analyzerUsage(Map<String, Object> details) {
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

    private static Duration positive(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return durations;
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
        // Every release, whatever its reason, as before the reasons had outcomes of their own.
        out.put(
                "jobs_released_total",
                count("released") + count("worker_fault") + count("lease_deadline") + count("rate_limited"));
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
