package io.fondation.worker.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.worker.config.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a {@link JobQueue} and runs up to {@code MAX_CONCURRENT_JOBS} jobs at once.
 *
 * <p>The poll loop cannot die: every exception is caught, logged, counted in the health, and followed by a
 * backoff. It claims only when a job slot is free, and polls again at once after claiming a job or when a
 * job ends (so the next job starts right after the previous one instead of after a grown backoff). When
 * the queue is empty it waits {@code POLL_INTERVAL}; when the queue fails it backs off exponentially up to a
 * minute. Each job runs as a {@link JobExecution} on a bounded executor, with its heartbeats on a
 * separate scheduler.
 *
 * <p>{@link #stop()} stops polling, cancels running analyzers, releases in-flight jobs (no attempt spent)
 * and stops heartbeats last, all within {@code SHUTDOWN_GRACE}.
 */
public final class Worker implements AutoCloseable {

    /** The lifecycle of a worker. */
    enum State {
        NOT_STARTED,
        RUNNING,
        STOPPING,
        STOPPED
    }

    static final Duration MAX_ERROR_BACKOFF = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final String workerId;
    private final Duration pollInterval;
    private final Duration leaseTime;
    private final int maxConcurrentJobs;
    private final Duration shutdownGrace;
    private final JobQueue queue;
    private final JobTools tools;
    private final Clock clock;
    private final WorkerMetrics metrics;
    private final HealthTracker health;
    private final JobExecution.Context context;
    private final Waiter waiter = new Waiter();
    private final AtomicReference<State> state = new AtomicReference<>(State.NOT_STARTED);
    private final AtomicInteger slotsInUse = new AtomicInteger();
    private final Map<String, JobExecution> executions = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor jobExecutor;
    private final ScheduledThreadPoolExecutor heartbeatScheduler;
    private volatile Thread pollThread;

    private Worker(Builder builder) {
        WorkerConfig config = builder.config;
        this.workerId = config.workerId();
        this.pollInterval = config.pollInterval();
        this.leaseTime = config.leaseTime();
        this.maxConcurrentJobs = config.maxConcurrentJobs();
        this.shutdownGrace = config.shutdownGrace();
        this.queue = builder.queue;
        this.clock = builder.clock;
        this.tools = builder.tools != null ? builder.tools : JobTools.fromConfig(config, System.getenv());
        this.metrics = new WorkerMetrics(new SimpleMeterRegistry());
        this.health = new HealthTracker(clock, workerId, maxConcurrentJobs, HealthTracker.errorWindowFor(pollInterval));
        // A bounded executor: never more threads than slots, and the poll loop only claims with a free slot.
        this.jobExecutor = new ThreadPoolExecutor(
                maxConcurrentJobs,
                maxConcurrentJobs,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxConcurrentJobs),
                threads("fondation-job-"));
        // Heartbeat calls may block on the network; one thread more than jobs keeps the deadline watchdog free.
        this.heartbeatScheduler = new ScheduledThreadPoolExecutor(
                Math.max(2, Math.min(maxConcurrentJobs + 1, 8)), threads("fondation-heartbeat-"));
        this.heartbeatScheduler.setRemoveOnCancelPolicy(true);
        HeartbeatTiming timing =
                HeartbeatTiming.forInterval(config.heartbeatInterval(), HeartbeatTiming.DEFAULT_THROTTLE);
        this.context = new JobExecution.Context(
                queue,
                tools,
                heartbeatScheduler,
                clock,
                timing,
                leaseTime,
                metrics,
                health,
                new SafeListener(builder.listener),
                ProgressLanguage.fromConfig(config.analyzer().progressLanguage()));
    }

    /** A builder for a worker on {@code queue} configured by {@code config}. */
    public static Builder builder(WorkerConfig config, JobQueue queue) {
        return new Builder(config, queue);
    }

    /**
     * Starts the poll loop and returns at once. The threads are daemons: the caller keeps the JVM alive
     * and calls {@link #stop()}.
     *
     * @throws io.fondation.shared.ConfigurationException when the analyzer is not configured at all
     * @throws IllegalStateException when started twice
     */
    public void start() {
        tools.analyzer().requireConfigured();
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
        health.started();
        Thread thread = new Thread(this::pollLoop, "fondation-poll-" + workerId);
        thread.setDaemon(true);
        pollThread = thread;
        thread.start();
    }

    private void pollLoop() {
        Duration errorBackoff = pollInterval;
        while (state.get() == State.RUNNING) {
            try {
                if (slotsInUse.get() >= maxConcurrentJobs) {
                    // A finishing job wakes us; the timeout is only a safety net.
                    waiter.await(pollInterval);
                    continue;
                }
                Instant claimStartedAt = clock.instant();
                Optional<ClaimedJob> claimed;
                try {
                    metrics.polled();
                    claimed = queue.claimOne(workerId, leaseTime);
                } catch (RuntimeException e) {
                    metrics.queueError();
                    health.pollFailed("claim failed: " + e.getMessage());
                    LOG.warn("claiming a job failed; next try in {} ms: {}", errorBackoff.toMillis(), e.toString());
                    waiter.await(errorBackoff);
                    errorBackoff = min(errorBackoff.multipliedBy(2), MAX_ERROR_BACKOFF);
                    continue;
                }
                errorBackoff = pollInterval;
                health.pollSucceeded(claimed.isPresent());
                if (claimed.isEmpty()) {
                    waiter.await(pollInterval);
                    continue;
                }
                if (state.get() != State.RUNNING) {
                    giveBack(claimed.get(), "claimed while the worker was stopping");
                    break;
                }
                dispatch(claimed.get(), claimStartedAt);
                // No wait: poll again at once while slots are free.
            } catch (InterruptedException e) {
                if (state.get() != State.RUNNING) {
                    break;
                }
            } catch (Throwable e) {
                LOG.error("poll loop error; continuing after {} ms", pollInterval.toMillis(), e);
                health.queueError("poll loop error: " + e);
                try {
                    waiter.await(pollInterval);
                } catch (InterruptedException interrupted) {
                    if (state.get() != State.RUNNING) {
                        break;
                    }
                }
            }
        }
        LOG.debug("poll loop of {} ended", workerId);
    }

    private void dispatch(ClaimedJob job, Instant claimedAt) {
        slotsInUse.incrementAndGet();
        JobExecution execution = new JobExecution(job, claimedAt, context, this::ended);
        executions.put(job.id(), execution);
        try {
            jobExecutor.execute(execution);
        } catch (RejectedExecutionException e) {
            executions.remove(job.id(), execution);
            slotsInUse.decrementAndGet();
            giveBack(job, "the job executor refused it");
        }
    }

    private void ended(JobExecution execution) {
        executions.remove(execution.job().id(), execution);
        slotsInUse.decrementAndGet();
        // Immediate re-poll after a job: the next one starts now, not after a poll interval.
        waiter.wake();
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
     * Stops the worker: stops polling, cancels running analyzers, releases in-flight jobs without spending
     * an attempt, and stops heartbeats last. Returns within about {@code SHUTDOWN_GRACE}. Harmless to call
     * twice.
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
        LOG.info("worker {} stopping: {} job(s) in flight", workerId, executions.size());
        waiter.wake();
        Thread poller = pollThread;
        if (poller != null) {
            joinQuietly(poller, remaining(deadline));
        }
        List<JobExecution> inFlight = new ArrayList<>(executions.values());
        inFlight.forEach(execution -> execution.requestStop(JobExecution.StopReason.SHUTDOWN));
        jobExecutor.shutdown();
        boolean drained = awaitQuietly(jobExecutor, remaining(deadline));
        if (!drained) {
            LOG.warn(
                    "jobs still winding down after the {} ms grace; releasing them directly", shutdownGrace.toMillis());
            for (JobExecution execution : executions.values()) {
                if (!execution.isFinished()) {
                    giveBack(execution.job(), "shutdown grace ran out");
                }
            }
            jobExecutor.shutdownNow();
        }
        if (poller != null && poller.isAlive()) {
            poller.interrupt();
        }
        // Heartbeats stop last: until every job above is released its lease must stay renewed, or another
        // worker could claim a job whose analyzer we are still killing, and our release would be refused.
        heartbeatScheduler.shutdownNow();
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

    /** The health for {@code /health}. */
    public WorkerHealth health() {
        State current = state.get();
        Thread poller = pollThread;
        boolean polling = current == State.RUNNING && poller != null && poller.isAlive();
        return health.snapshot(current.name().toLowerCase(Locale.ROOT), polling, this::activeJobs);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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
        private WorkerListener listener = new WorkerListener() {};
        private JobTools tools;

        private Builder(WorkerConfig config, JobQueue queue) {
            this.config = Objects.requireNonNull(config, "config");
            this.queue = Objects.requireNonNull(queue, "queue");
        }

        /** The clock of leases, deadlines and health (default: system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Hears job events (default: none). */
        public Builder listener(WorkerListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** Replaces the workspaces, cloner and analyzer built from the config (default: {@link JobTools#fromConfig}). */
        public Builder tools(JobTools value) {
            this.tools = Objects.requireNonNull(value, "tools");
            return this;
        }

        public Worker build() {
            return new Worker(this);
        }
    }
}
