package io.fondation.worker.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.preflight.FitnessCheck;
import io.fondation.worker.preflight.Preflight;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: a {@link PollLoop} that claims jobs from a {@link JobQueue} while one of its
 * {@code MAX_CONCURRENT_JOBS} slots is free, and a {@link JobAttempt} per claimed job on a bounded executor,
 * with its heartbeats on a separate scheduler. {@link WorkerFaults} stops claiming while the worker itself is at
 * fault. Everything an attempt does is reported once, as an {@link AttemptOutcome}, to the metrics, the log and
 * the listeners.
 *
 * <p>{@link #stop()} stops polling, stops running analyzers, releases in-flight jobs (no attempt spent) and stops
 * heartbeats last, all within {@code SHUTDOWN_GRACE}.
 */
public final class Worker implements AutoCloseable {

    /** The lifecycle of a worker. */
    enum State {
        NOT_STARTED,
        RUNNING,
        STOPPING,
        STOPPED
    }

    /** The poll interval while the queue pushes news of work, unless configured. */
    public static final Duration DEFAULT_SAFETY_INTERVAL = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final String workerId;
    private final int maxConcurrentJobs;
    private final Duration shutdownGrace;
    private final JobQueue queue;
    private final JobTools tools;
    private final WorkerMetrics metrics;
    private final HealthTracker health;
    private final WorkerFaults faults;
    private final JobAttempt.Context context;
    private final PollLoop pollLoop;
    private final boolean manual;
    private final List<FitnessCheck> checks;
    private volatile boolean preflightPassed;
    private final AtomicReference<State> state = new AtomicReference<>(State.NOT_STARTED);
    private final AtomicInteger slotsInUse = new AtomicInteger();
    private final Map<String, JobAttempt> attempts = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor jobExecutor;
    private final ScheduledExecutorService heartbeatScheduler;
    private volatile Thread pollThread;

    private Worker(Builder builder) {
        WorkerConfig config = builder.config;
        this.workerId = config.workerId();
        this.maxConcurrentJobs = config.maxConcurrentJobs();
        this.shutdownGrace = config.shutdownGrace();
        this.queue = builder.queue;
        this.manual = builder.manual;
        this.tools = builder.tools != null ? builder.tools : JobTools.fromConfig(config, System.getenv(), queue);
        this.metrics = new WorkerMetrics(
                builder.registry != null ? builder.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                maxConcurrentJobs);
        SafeListener listener = new SafeListener(builder.listeners);
        this.health = new HealthTracker(
                builder.clock,
                workerId,
                maxConcurrentJobs,
                HealthTracker.errorWindowFor(config.pollInterval()),
                config.heartbeatInterval());
        this.checks = builder.checks != null
                ? builder.checks
                : Preflight.checks(config, tools.workspaces(), tools.analyzer(), System.getenv());
        this.faults = new WorkerFaults(
                builder.clock,
                checks,
                listener,
                metrics,
                WorkerFaults.FIRST_RECHECK,
                WorkerFaults.MAX_RECHECK,
                queue.releaseSpendsAttempt());
        // A bounded executor: never more threads than slots, and the poll loop only claims with a free slot.
        this.jobExecutor = new ThreadPoolExecutor(
                maxConcurrentJobs,
                maxConcurrentJobs,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxConcurrentJobs),
                threads("fondation-job-"));
        if (manual) {
            this.heartbeatScheduler = new HeldTasksScheduler();
        } else {
            // Heartbeat calls may block on the network; one thread more than jobs keeps the deadline watchdog free.
            ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(
                    Math.max(2, Math.min(maxConcurrentJobs + 1, 8)), threads("fondation-heartbeat-"));
            scheduler.setRemoveOnCancelPolicy(true);
            this.heartbeatScheduler = scheduler;
        }
        this.context = new JobAttempt.Context(
                workerId,
                queue,
                tools,
                builder.clock,
                HeartbeatTiming.forInterval(config.heartbeatInterval(), HeartbeatTiming.DEFAULT_THROTTLE),
                config.leaseTime(),
                config.analyzer().killGrace(),
                heartbeatScheduler,
                ProgressLanguage.fromConfig(config.analyzer().progressLanguage()),
                new AttemptReporter(metrics, listener, builder.clock),
                faults,
                health,
                metrics);
        this.pollLoop = new PollLoop(
                workerId,
                queue,
                config.leaseTime(),
                config.pollInterval(),
                builder.safetyInterval,
                builder.clock,
                faults,
                health,
                metrics,
                new Slots());
        metrics.pushLive(pollLoop::pushLive);
    }

    /** A builder for a worker on {@code queue} configured by {@code config}. */
    public static Builder builder(WorkerConfig config, JobQueue queue) {
        return new Builder(config, queue);
    }

    /**
     * Runs the worker's {@link Preflight} checks (once): the analyzer can start, {@code TEMP_DIR} is usable. A
     * worker that fails them must not claim anything.
     *
     * @throws io.fondation.shared.ConfigurationException the first problem, naming the setting to fix
     */
    public void preflight() {
        if (!preflightPassed) {
            Preflight.require(checks);
            preflightPassed = true;
        }
    }

    /**
     * Runs the {@link #preflight()} checks, then starts the poll loop and returns at once. The threads are daemons:
     * the caller keeps the JVM alive and calls {@link #stop()}.
     *
     * @throws io.fondation.shared.ConfigurationException when a check fails; nothing was claimed
     * @throws IllegalStateException when started twice
     */
    public void start() {
        if (state.get() == State.NOT_STARTED) {
            preflight();
        }
        if (!state.compareAndSet(State.NOT_STARTED, State.RUNNING)) {
            throw new IllegalStateException("worker " + workerId + " was already started");
        }
        int stale = tools.workspaces().deleteStale();
        if (stale > 0) {
            LOG.info(
                    "deleted {} workspace(s) left by an earlier run in {}",
                    stale,
                    tools.workspaces().tempDir());
        }
        health.started();
        logContainment();
        if (manual) {
            return;
        }
        Thread thread = new Thread(pollLoop, "fondation-poll-" + workerId);
        thread.setDaemon(true);
        pollThread = thread;
        thread.start();
    }

    private void logContainment() {
        io.fondation.clibridge.process.ContainmentStatus containment =
                tools.analyzer().containment().status();
        if (containment.confinesWrites()) {
            LOG.info("analyzer containment: {}", containment.describe());
        } else if (containment.treeDiesWithJvm()) {
            LOG.warn(
                    "analyzer containment: {}. Allowed to run without a sandbox: the analyzer can read what the"
                            + " worker's user can (the other jobs' clones included) and write where it can",
                    containment.describe());
        } else {
            LOG.warn(
                    "analyzer containment: {}. A worker killed with SIGKILL may leave its analyzer running until the next"
                            + " start of a worker on this TEMP_DIR kills it",
                    containment.describe());
        }
    }

    /** The slots the poll loop claims into. */
    private final class Slots implements PollLoop.Dispatcher {
        @Override
        public boolean hasFreeSlot() {
            return slotsInUse.get() < maxConcurrentJobs;
        }

        @Override
        public void dispatch(ClaimedJob job, Instant claimStartedAt) {
            slotsInUse.incrementAndGet();
            JobAttempt attempt = new JobAttempt(job, claimStartedAt, context, Worker.this::ended);
            attempts.put(job.id(), attempt);
            try {
                jobExecutor.execute(attempt);
            } catch (RejectedExecutionException e) {
                attempts.remove(job.id(), attempt);
                slotsInUse.decrementAndGet();
                giveBack(job, "the job executor refused it");
            }
        }

        @Override
        public void giveBack(ClaimedJob job, String reason) {
            Worker.this.giveBack(job, reason);
        }
    }

    private void ended(JobAttempt attempt) {
        attempts.remove(attempt.job().id(), attempt);
        slotsInUse.decrementAndGet();
        // Immediate re-poll after a job: the next one starts now, not after a poll interval.
        pollLoop.wake();
    }

    /** Releases a job that never started. */
    private void giveBack(ClaimedJob job, String reason) {
        try {
            queue.release(job.lease());
            LOG.info("job {} released: {}", job.id(), reason);
        } catch (RuntimeException e) {
            LOG.warn("job {} could not be released ({}); its lease will expire: {}", job.id(), reason, e.toString());
        }
    }

    /**
     * Stops the worker: stops polling, stops running analyzers, releases in-flight jobs without spending an
     * attempt, and stops heartbeats last. Returns within about {@code SHUTDOWN_GRACE}. Harmless to call twice.
     */
    public void stop() {
        if (state.compareAndSet(State.NOT_STARTED, State.STOPPED)) {
            jobExecutor.shutdownNow();
            heartbeatScheduler.shutdownNow();
            return;
        }
        if (!state.compareAndSet(State.RUNNING, State.STOPPING)) {
            return;
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        LOG.info("worker {} stopping: {} job(s) in flight", workerId, attempts.size());
        pollLoop.stop();
        Thread poller = pollThread;
        if (poller != null) {
            joinQuietly(poller, remaining(deadline));
        }
        List<JobAttempt> inFlight = new ArrayList<>(attempts.values());
        inFlight.forEach(attempt -> attempt.requestStop(StopReason.SHUTDOWN));
        jobExecutor.shutdown();
        boolean drained = awaitQuietly(jobExecutor, remaining(deadline));
        if (!drained) {
            LOG.warn(
                    "jobs still winding down after the {} ms grace; releasing them directly", shutdownGrace.toMillis());
            for (JobAttempt attempt : attempts.values()) {
                if (!attempt.hasEnded()) {
                    giveBack(attempt.job(), "shutdown grace ran out");
                }
            }
            jobExecutor.shutdownNow();
        }
        if (poller != null && poller.isAlive()) {
            poller.interrupt();
        }
        // Heartbeats stop last: until every job above is released its lease must stay renewed, or another worker
        // could claim a job whose analyzer we are still killing, and our release would be refused.
        heartbeatScheduler.shutdownNow();
        tools.workspaces().close();
        state.set(State.STOPPED);
        LOG.info("worker {} stopped", workerId);
    }

    @Override
    public void close() {
        stop();
    }

    /** Jobs running now (or claimed and about to start). */
    public int activeJobs() {
        return slotsInUse.get();
    }

    /** The worker's id. */
    public String workerId() {
        return workerId;
    }

    /** The worker's meters. */
    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The health for {@code /health}, {@code /health/live} and {@code /health/ready}. */
    public WorkerHealth health() {
        State current = state.get();
        Thread poller = pollThread;
        boolean polling = current == State.RUNNING && (manual || poller != null && poller.isAlive());
        return health.snapshot(
                        current.name().toLowerCase(Locale.ROOT),
                        polling,
                        this::activeJobs,
                        faults.open(),
                        pollLoop.pushLive())
                .withContainment(tools.analyzer().containmentReport());
    }

    // ---------------------------------------------------------------- the manual driver's hooks

    PollLoop.Round pollOnce() {
        return pollLoop.pollOnce();
    }

    List<JobAttempt> runningAttempts() {
        return List.copyOf(attempts.values());
    }

    private static long remaining(long deadlineNanos) {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    private static void joinQuietly(Thread thread, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitQuietly(ThreadPoolExecutor executor, long nanos) {
        try {
            return executor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Assembles a {@link Worker}; everything but the config and the queue has a default. */
    public static final class Builder {
        private final WorkerConfig config;
        private final JobQueue queue;
        private Clock clock = Clock.systemUTC();
        private final List<WorkerListener> listeners = new ArrayList<>();
        private JobTools tools;
        private MeterRegistry registry;
        private List<FitnessCheck> checks;
        private Duration safetyInterval = DEFAULT_SAFETY_INTERVAL;
        private boolean manual;

        private Builder(WorkerConfig config, JobQueue queue) {
            this.config = Objects.requireNonNull(config, "config");
            this.queue = Objects.requireNonNull(queue, "queue");
        }

        /** The clock of leases, deadlines, fault re-checks and health (default: system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Adds a listener of job events (default: none); listeners hear events in the order they were added. */
        public Builder listener(WorkerListener value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** Replaces the workspaces, cloner and analyzer built from the config (default: {@link JobTools#fromConfig}). */
        public Builder tools(JobTools value) {
            this.tools = Objects.requireNonNull(value, "tools");
            return this;
        }

        /**
         * The registry the worker's meters go to (default: a Prometheus registry of its own). The health server's
         * {@code /metrics/prometheus} serves it when it is a Prometheus registry or a composite holding one.
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /**
         * What is checked at start and before the worker tries a job again after a worker fault (default: the
         * {@link Preflight} checks of the config).
         */
        public Builder fitnessChecks(List<FitnessCheck> value) {
            this.checks = List.copyOf(value);
            return this;
        }

        /** How often an idle worker polls while the queue pushes news of work (default 5 min). */
        public Builder safetyPollInterval(Duration value) {
            this.safetyInterval = Objects.requireNonNull(value, "safetyPollInterval");
            return this;
        }

        public Worker build() {
            return new Worker(this);
        }

        /** A worker without its own threads for polling and heartbeats: the driver decides when they happen. */
        ManualWorker buildManual() {
            this.manual = true;
            return new ManualWorker(new Worker(this));
        }
    }
}
