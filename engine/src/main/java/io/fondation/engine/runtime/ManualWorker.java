package io.fondation.engine.runtime;

import io.fondation.engine.events.EventSink;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.engine.preflight.FitnessCheck;
import io.fondation.shared.JobQueue;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * A {@link Worker} without threads of its own, for deterministic tests in the manner of db-scheduler's
 * {@code ManualScheduler}: nothing happens on a timer, everything on the caller's thread.
 * <ul>
 *   <li>{@link #pollOnce()} makes one round of the poll loop: it claims at most one job and runs its attempt, to its
 *       end, before it returns;
 *   <li>{@link #heartbeatOnce()} sends one heartbeat for each attempt running and checks its lease deadline. It may
 *       be called from inside an attempt (a scripted analyzer that advances the clock and heartbeats): a lost lease
 *       or a cancellation then stops the attempt's analyzer at once, as it would from a heartbeat thread.
 * </ul>
 * With a {@code MutableClock} and ports that run no process (a scripted analyzer, a cloner that copies nothing), a
 * test drives leases, heartbeats, cancellation, release and retry scheduling with no real-time wait.
 */
public final class ManualWorker implements AutoCloseable {

    private final Worker worker;

    ManualWorker(Worker worker) {
        this.worker = worker;
    }

    /** A builder: the same settings as {@link Worker#builder}. */
    public static Builder builder(WorkerSettings settings, JobQueue queue, JobTools tools) {
        return new Builder(Worker.builder(settings, queue, tools));
    }

    /** Runs the start-up checks, deletes stale workspaces and marks the worker running; no thread is started. */
    public ManualWorker start() {
        worker.start();
        return this;
    }

    /**
     * One round of the poll loop on the caller's thread; a claimed job runs to its end before this returns.
     *
     * @return what the round did: {@code claimed} (the attempt has ended since), {@code empty}, {@code no_free_slot},
     *     {@code suspended} (a worker fault is open), {@code failed} (the queue did not answer) or {@code stopped}
     */
    public String pollOnce() {
        return worker.pollOnce().name().toLowerCase(Locale.ROOT);
    }

    /** What the queue's push does when something changed (another worker cleared a pause, say): the next round knows. */
    public void queueChanged() {
        worker.queueChanged();
    }

    /**
     * Sends one heartbeat for every running attempt, on the caller's thread, and checks its lease deadline.
     *
     * @return how many attempts still have live heartbeats afterwards
     */
    public int heartbeatOnce() {
        int live = 0;
        for (JobAttempt attempt : worker.runningAttempts()) {
            if (attempt.heartbeat().beatNow()) {
                live++;
            }
        }
        return live;
    }

    /** Jobs running now (inside {@link #pollOnce()} only). */
    public int activeJobs() {
        return worker.activeJobs();
    }

    /** The worker's health. */
    public WorkerHealth health() {
        return worker.health();
    }

    /** The worker's meters. */
    public WorkerMetrics metrics() {
        return worker.metrics();
    }

    /** Stops the worker: releases what runs (from inside an attempt), then stops. */
    @Override
    public void close() {
        worker.stop();
    }

    /** Configures a {@link ManualWorker}: the same settings as {@link Worker.Builder}. */
    public static final class Builder {
        private final Worker.Builder builder;

        private Builder(Worker.Builder builder) {
            this.builder = builder;
        }

        /** {@link Worker.Builder#clock}. */
        public Builder clock(Clock clock) {
            builder.clock(clock);
            return this;
        }

        /** {@link Worker.Builder#listener}. */
        public Builder listener(EventSink listener) {
            builder.listener(listener);
            return this;
        }

        /** {@link Worker.Builder#fitnessChecks}. */
        public Builder fitnessChecks(List<FitnessCheck> checks) {
            builder.fitnessChecks(checks);
            return this;
        }

        public ManualWorker build() {
            return builder.buildManual();
        }
    }
}
