package io.fondation.engine.runtime;

import io.fondation.clibridge.process.DaemonThreads;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.Backoff;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The heartbeats of one job, on the worker's heartbeat scheduler (never on the job's own thread, which
 * is blocked waiting for the analyzer).
 *
 * <ul>
 *   <li>A heartbeat every {@code interval} renews the lease and carries the latest phase and progress.
 *   <li>A change of phase or progress is sent promptly, but at most once per {@code throttle}; changes in
 *       between are merged into the next heartbeat.
 *   <li>A failed heartbeat (the queue is unreachable) is retried after {@code retryDelay}.
 *   <li>The queue's answer drives the job: lease lost or cancellation requested are reported to the
 *       {@link Outcome}, once, and heartbeats end.
 *   <li>A watchdog, independent of the heartbeat calls (which may hang), reports when no renewal got through
 *       before the {@link LeaseDeadline}: the job must stop before the queue hands it to another worker.
 * </ul>
 *
 * <p>Throttling uses a monotonic ticker (it limits calls per unit of real time); leases and deadlines use
 * the injected {@link Clock}, the time the queue also uses.
 */
final class JobHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(JobHeartbeat.class);

    private final JobQueue queue;
    private final ScheduledExecutorService scheduler;
    /** {@link #beat()}, with the job's log fields once {@link #start()} captured them. */
    private volatile Runnable scheduledBeat = this::beat;

    private final Clock clock;
    private final LongSupplier nanoTime;
    private final HeartbeatTiming timing;
    /** The waits between retries of failed heartbeats (the one Backoff type); used by the beating thread only. */
    private final Backoff.Sequence retries;

    private final Duration leaseTime;
    private final LeaseDeadline deadline;
    private final EventSink events;
    private final String workerId;
    private final Consumer<StopReason> onStop;

    private volatile JobLease lease;
    private JobStatus phase;
    private Progress progress;
    /** A phase or progress arrived since the last heartbeat started: the next one is due within the throttle. */
    private boolean dirty;

    private boolean beating;
    private boolean ended;
    private long lastBeatNanos;
    private ScheduledFuture<?> next;
    private ScheduledFuture<?> watchdog;

    /**
     * @param shared the worker's scheduler, pacing, clocks and events
     * @param lease the lease the claim granted (its worker id names the log fields of heartbeat threads)
     * @param deadline when the job must stop if no renewal got through (shared with the attempt's final writes); its
     *     lease time is what each heartbeat asks for
     * @param onStop told at most once why the job must stop (lease lost, cancellation, deadline); heartbeats
     *     have ended then
     */
    JobHeartbeat(
            Heartbeats shared, JobQueue queue, JobLease lease, LeaseDeadline deadline, Consumer<StopReason> onStop) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.scheduler = shared.scheduler();
        this.clock = shared.clock();
        this.nanoTime = shared.ticker();
        this.timing = shared.timing();
        this.retries = timing.retries().sequence();
        this.events = shared.events();
        this.lease = Objects.requireNonNull(lease, "lease");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.leaseTime = deadline.leaseTime();
        this.workerId = lease.workerId();
        this.onStop = Objects.requireNonNull(onStop, "onStop");
        this.lastBeatNanos = nanoTime.getAsLong() - timing.throttle().toNanos();
    }

    /**
     * Starts the periodic heartbeats and the deadline watchdog; what they log carries the log fields (job id,
     * attempt) of the calling thread, the job's.
     */
    synchronized void start() {
        if (ended) {
            return;
        }
        scheduledBeat = DaemonThreads.withCallersLogContext(this::beat);
        if (next == null) {
            reschedule(timing.interval().toNanos());
        }
        long period = timing.watchdogPeriod(deadline.margin()).toNanos();
        try {
            watchdog = scheduler.scheduleAtFixedRate(
                    DaemonThreads.withCallersLogContext(this::checkDeadline), period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            end();
        }
    }

    /** The lease as last renewed: every write to the job carries it. */
    JobLease lease() {
        return lease;
    }

    /** Records a new phase and/or progress and sends it soon (throttled). Null keeps the current value. */
    synchronized void update(JobStatus newPhase, Progress newProgress) {
        if (ended) {
            return;
        }
        if (newPhase != null) {
            phase = newPhase;
        }
        if (newProgress != null) {
            progress = newProgress;
        }
        dirty = true;
        if (beating) {
            // The heartbeat in flight sees the change when it ends and schedules the next one accordingly.
            return;
        }
        long delay = throttleLeftNanos();
        if (next != null && next.getDelay(TimeUnit.NANOSECONDS) <= delay) {
            return;
        }
        reschedule(delay);
    }

    /** How long until the throttle allows another heartbeat (0 when it already does). Call holding the lock. */
    private long throttleLeftNanos() {
        return Math.max(0, lastBeatNanos + timing.throttle().toNanos() - nanoTime.getAsLong());
    }

    /** Ends the heartbeats; waits briefly for a call in flight so that no heartbeat follows the caller's final write. */
    void stop() {
        synchronized (this) {
            end();
        }
        long waitUntil = System.nanoTime() + timing.stopWait().toNanos();
        synchronized (this) {
            while (beating) {
                long remaining = waitUntil - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private void end() {
        ended = true;
        if (next != null) {
            next.cancel(false);
        }
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    private void reschedule(long delayNanos) {
        if (next != null) {
            next.cancel(false);
        }
        try {
            next = scheduler.schedule(scheduledBeat, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The worker stopped its heartbeat scheduler (after its shutdown grace): nothing more to send.
            end();
        }
    }

    /**
     * Sends one heartbeat now, on the caller's thread, and checks the deadline (the manual driver's
     * {@code heartbeatOnce()}); the periodic schedule, if any, goes on.
     *
     * @return false when heartbeats have ended (lease lost, canceled, deadline passed or stopped)
     */
    boolean beatNow() {
        beat();
        checkDeadline();
        synchronized (this) {
            return !ended;
        }
    }

    @SuppressWarnings("try") // the MDC scope is used by its effect on the thread, not by reference
    private void beat() {
        JobStatus sentPhase;
        Progress sentProgress;
        JobLease current;
        synchronized (this) {
            if (ended || beating) {
                return;
            }
            beating = true;
            sentPhase = phase;
            sentProgress = progress;
            dirty = false;
            lastBeatNanos = nanoTime.getAsLong();
            current = lease;
        }
        long nextDelay;
        try (MdcScope mdc = new MdcScope(current.jobId())) {
            nextDelay = send(current, sentPhase, sentProgress);
        } catch (RuntimeException | Error e) {
            // Never let an exception cancel the scheduled chain silently.
            LOG.error("heartbeat of job {} failed unexpectedly", current.jobId(), e);
            nextDelay = retries.next().toNanos();
        }
        synchronized (this) {
            beating = false;
            notifyAll();
            if (ended || nextDelay < 0) {
                return;
            }
            if (dirty) {
                nextDelay = Math.min(nextDelay, throttleLeftNanos());
            }
            reschedule(nextDelay);
        }
    }

    /** @return the delay before the next heartbeat in nanoseconds, or -1 when heartbeats have ended */
    private long send(JobLease current, JobStatus sentPhase, Progress sentProgress) {
        Instant callStarted = clock.instant();
        HeartbeatResult result;
        try {
            result = queue.heartbeat(current, sentPhase, sentProgress, leaseTime);
        } catch (JobQueueException | IllegalStateException e) {
            events.publish(new WorkerEvent.HeartbeatFailed(current.jobId(), e.getMessage()));
            Duration wait = retries.next();
            LOG.warn(
                    "heartbeat of job {} failed ({}), retrying in {} ms: {}",
                    current.jobId(),
                    e instanceof JobQueueException q && q.isTransient() ? "transient" : "error",
                    wait.toMillis(),
                    e.getMessage());
            if (checkDeadline()) {
                return -1;
            }
            return wait.toNanos();
        }
        retries.reset();
        events.publish(new WorkerEvent.HeartbeatSent(current.jobId()));
        if (!result.leaseHeld()) {
            if (claimEnd()) {
                LOG.warn(
                        "job {}: lease lost (another worker holds it or it ended); stopping without writing",
                        current.jobId());
                onStop.accept(StopReason.LEASE_LOST);
            }
            return -1;
        }
        lease = result.lease();
        deadline.renewed(callStarted);
        if (result.cancelRequested()) {
            if (claimEnd()) {
                LOG.info("job {}: cancellation requested", current.jobId());
                onStop.accept(StopReason.CANCEL_REQUESTED);
            }
            return -1;
        }
        return timing.interval().toNanos();
    }

    /** @return true when the deadline passed (and the outcome was reported) */
    private boolean checkDeadline() {
        if (!deadline.passed(clock.instant())) {
            return false;
        }
        if (claimEnd()) {
            LOG.warn(
                    "job {}: no heartbeat got through before {}; stopping before the lease can go to another worker",
                    lease.jobId(),
                    deadline.deadline());
            onStop.accept(StopReason.LEASE_DEADLINE);
        }
        return true;
    }

    /** Ends the heartbeats; true for the one caller that ended them (so the outcome is reported once). */
    private synchronized boolean claimEnd() {
        if (ended) {
            return false;
        }
        end();
        return true;
    }

    /** The job's log fields on a heartbeat thread, for the length of one beat. */
    private final class MdcScope implements AutoCloseable {
        MdcScope(String jobId) {
            MDC.put(LogContext.WORKER_ID, workerId);
            MDC.put(LogContext.JOB_ID, jobId);
        }

        @Override
        public void close() {
            MDC.remove(LogContext.WORKER_ID);
            MDC.remove(LogContext.JOB_ID);
        }
    }
}
