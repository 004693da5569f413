package io.fondation.worker.runtime;

import io.fondation.shared.JobQueue;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.preflight.FitnessCheck;
import java.time.Duration;
import java.util.List;

/**
 * A {@link Worker} that polls and heartbeats only when told to, for deterministic tests in the manner of
 * db-scheduler's {@code ManualScheduler}: {@link #pollOnce()} claims (and starts) at most one job,
 * {@link #heartbeatOnce()} sends one heartbeat for each running job; nothing else happens on a timer. Jobs still
 * run on job threads (their analyzers are real processes).
 */
public final class ManualWorker implements AutoCloseable {

    private final Worker worker;

    ManualWorker(Worker worker) {
        this.worker = worker;
    }

    /** A builder; finish it with {@link Builder#build()}. */
    public static Builder builder(WorkerConfig config, JobQueue queue) {
        return new Builder(Worker.builder(config, queue));
    }

    /** Deletes stale workspaces and marks the worker running; no thread is started. */
    public ManualWorker start() {
        worker.start();
        return this;
    }

    /**
     * One round of the poll loop on the caller's thread.
     *
     * @return what it did: claimed a job (now running), found none, had no free slot, was suspended by a worker
     *     fault, failed to reach the queue, or was stopped
     */
    public String pollOnce() {
        return worker.pollOnce().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Sends one heartbeat for every running job, on the caller's thread.
     *
     * @return how many jobs still have live heartbeats afterwards
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

    /** Jobs running now. */
    public int activeJobs() {
        return worker.activeJobs();
    }

    /** The worker's health. */
    public WorkerHealth health() {
        return worker.health();
    }

    /** The worker underneath (its metrics). */
    public Worker worker() {
        return worker;
    }

    /**
     * Waits until no job runs.
     *
     * @return false when {@code max} passed first
     */
    public boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (worker.activeJobs() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

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

        public Builder clock(java.time.Clock clock) {
            builder.clock(clock);
            return this;
        }

        public Builder listener(WorkerListener listener) {
            builder.listener(listener);
            return this;
        }

        public Builder tools(JobTools tools) {
            builder.tools(tools);
            return this;
        }

        public Builder fitnessChecks(List<FitnessCheck> checks) {
            builder.fitnessChecks(checks);
            return this;
        }

        public ManualWorker build() {
            return builder.buildManual();
        }
    }
}
