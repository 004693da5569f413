package io.fondation.engine.runtime;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.health.HealthTracker;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.engine.preflight.FitnessCheck;
import io.fondation.engine.preflight.Preflight;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.concurrent.Executors;
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

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final String workerId;
    private final int maxConcurrentJobs;
    private final Duration shutdownGrace;
    private final JobQueue queue;
    private final JobTools tools;
    private final WorkerMetrics metrics;
    private final HealthTracker health;
    private final EventChannel events;
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
    private final java.util.concurrent.ExecutorService checkpointSaver;

    private Worker(Builder builder) {
        WorkerSettings config = builder.settings;
        this.workerId = config.workerId();
        this.maxConcurrentJobs = config.maxConcurrentJobs();
        this.shutdownGrace = config.shutdownGrace();
        this.queue = builder.queue;
        this.manual = builder.manual;
        this.tools = builder.tools;
        this.metrics = new WorkerMetrics(
                builder.registry != null ? builder.registry : new SimpleMeterRegistry(), maxConcurrentJobs);
        this.health = new HealthTracker(
                builder.clock,
                workerId,
                maxConcurrentJobs,
                HealthTracker.errorWindowFor(config.pollInterval()),
                config.heartbeatInterval());
        // The one event channel: the meters, the health and the log first, then the listeners, in their order.
        List<EventSink> sinks = new ArrayList<>(List.of(metrics, health, new EventLog()));
        sinks.addAll(builder.listeners);
        this.events = new EventChannel(sinks);
        this.checks = builder.checks;
        this.faults = new WorkerFaults(
                builder.clock,
                checks,
                events,
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
        Heartbeats heartbeats = new Heartbeats(
                heartbeatScheduler,
                HeartbeatTiming.forInterval(config.heartbeatInterval(), HeartbeatTiming.DEFAULT_THROTTLE),
                builder.clock,
                System::nanoTime,
                events);
        // why: a manual worker saves checkpoint files on the caller's thread and does not wait between tries, so that
        // a test sees every save before the attempt ends
        this.checkpointSaver = manual
                ? null
                : Executors.newFixedThreadPool(Math.min(maxConcurrentJobs, 4), threads("fondation-checkpoint-"));
        this.context = new JobAttempt.Context(
                config,
                queue,
                tools,
                heartbeats,
                faults,
                events,
                manual ? Runnable::run : checkpointSaver,
                manual ? wait -> true : Worker::sleep);
        this.pollLoop = new PollLoop(
                config,
                queue,
                builder.clock,
                faults,
                events,
                new Slots(),
                tools.analyzer().credentialFingerprint().orElse(null));
        metrics.pushLive(pollLoop::pushLive);
        metrics.llmPause(builder.clock);
    }

    /**
     * A builder for a worker on {@code queue}, configured by {@code settings}, that runs its jobs with {@code tools}.
     */
    public static Builder builder(WorkerSettings settings, JobQueue queue, JobTools tools) {
        return new Builder(settings, queue, tools);
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
                    tools.workspaces().root());
        }
        events.publish(new WorkerEvent.Started(context.clock().instant()));
        logContainment();
        logResume();
        logFleetRules();
        if (manual) {
            return;
        }
        Thread thread = new Thread(pollLoop, "fondation-poll-" + workerId);
        thread.setDaemon(true);
        pollThread = thread;
        thread.start();
    }

    /** Says at start-up whether a retried job resumes, and when it does not, why (issue 23). */
    private void logResume() {
        if (!context.settings().resume()) {
            LOG.info("RESUME=false: a retried job reruns its analysis from the start; no checkpoint is kept");
            return;
        }
        io.fondation.shared.CheckpointSupport support;
        try {
            support = queue.checkpointSupport();
        } catch (RuntimeException e) {
            support = io.fondation.shared.CheckpointSupport.unsupported("cannot tell: " + e.getMessage());
        }
        if (support.supported()) {
            LOG.info("resume: a retried job runs only the analysis steps its checkpoint does not hold");
        } else {
            LOG.warn(
                    "resume: this queue keeps no checkpoints ({}): a retried job reruns its analysis from the start",
                    support.reason());
        }
    }

    /** Says which of issue 22's rules the queue keeps, and why not the others (today's behaviour for them). */
    private void logFleetRules() {
        try {
            io.fondation.shared.FleetSupport fleet = queue.fleetSupport();
            if (fleet.reason().isBlank()) {
                LOG.info("fleet rules: the queue keeps {}", fleet.features());
            } else {
                LOG.info(
                        "fleet rules: the queue keeps {}; for the others, today's behaviour: {}",
                        fleet.features(),
                        fleet.reason());
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot tell which fleet rules the queue keeps: {}", e.toString());
        }
    }

    private void logContainment() {
        io.fondation.clibridge.process.ContainmentStatus containment =
                tools.analyzer().containmentReport().status();
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
            if (manual) {
                // why: the manual driver runs the attempt on its own thread, to its end, before pollOnce returns
                attempt.run();
                return;
            }
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
            stopCheckpointSaver();
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
        stopCheckpointSaver();
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

    /** What the queue's push does when something changed: wakes the poll loop. */
    void queueChanged() {
        pollLoop.wake();
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

    private void stopCheckpointSaver() {
        if (checkpointSaver != null) {
            checkpointSaver.shutdownNow();
        }
    }

    /** A real wait between tries at keeping a finished output; false when the thread is interrupted. */
    private static boolean sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
            return true;
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

    /** Assembles a {@link Worker}; everything but the settings, the queue and the tools has a default. */
    public static final class Builder {
        private final WorkerSettings settings;
        private final JobQueue queue;
        private final JobTools tools;
        private Clock clock = Clock.systemUTC();
        private final List<EventSink> listeners = new ArrayList<>();
        private MeterRegistry registry;
        private List<FitnessCheck> checks = List.of();
        private boolean manual;

        private Builder(WorkerSettings settings, JobQueue queue, JobTools tools) {
            this.settings = Objects.requireNonNull(settings, "settings");
            this.queue = Objects.requireNonNull(queue, "queue");
            this.tools = Objects.requireNonNull(tools, "tools");
        }

        /** The clock of leases, deadlines, fault re-checks and health (default: system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Adds a listener of the worker's events (default: none): a {@link WorkerListener}, or any {@link EventSink}.
         * Listeners hear the events after the worker's meters, health and log, in the order they were added.
         */
        public Builder listener(EventSink value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /**
         * The registry the worker's meters go to (default: a simple registry of its own). The application's health
         * server's {@code /metrics/prometheus} serves it when it is a Prometheus registry or a composite holding one.
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /**
         * What is checked at start and before the worker tries a job again after a worker fault (default: nothing;
         * {@link Preflight#checks} gives the analyzer's and the workspace's).
         */
        public Builder fitnessChecks(List<FitnessCheck> value) {
            this.checks = List.copyOf(value);
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
