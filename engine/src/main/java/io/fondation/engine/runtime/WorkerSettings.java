package io.fondation.engine.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.shared.UsdAmounts;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Worker} is told of its configuration, validated. The engine's own record: the application builds it
 * from its environment variables ({@code WORKER_ID}, {@code POLL_INTERVAL} ...), an embedding service from
 * wherever it keeps its settings.
 *
 * @param workerId the name this worker claims jobs under
 * @param pollInterval the wait between polls of an empty queue
 * @param safetyPollInterval how often an idle worker polls while the queue pushes news of work (at least
 *     {@code pollInterval})
 * @param leaseTime how long a claim or heartbeat holds a job
 * @param heartbeatInterval the period of heartbeats, less than half the lease
 * @param maxConcurrentJobs jobs run at once
 * @param shutdownGrace the longest {@link Worker#stop()} waits for jobs to wind down
 * @param analyzerStopTime how long stopping the analyzer may take (its kill grace): the lease deadline comes early
 *     enough for it
 * @param progressLanguage the language of the progress text the worker writes
 * @param resume whether an attempt resumes from its job's checkpoint and saves one ({@code RESUME}); without it, or
 *     on a queue that keeps no checkpoints, every attempt runs its analysis from the start
 * @param jobMaxCostUsd the cap on the sum of a job's attempts' costs for jobs without their own ({@code
 *     JOB_MAX_COST_USD}), passed with every claim; {@code null} for none
 */
public record WorkerSettings(
        String workerId,
        Duration pollInterval,
        Duration safetyPollInterval,
        Duration leaseTime,
        Duration heartbeatInterval,
        int maxConcurrentJobs,
        Duration shutdownGrace,
        Duration analyzerStopTime,
        ProgressLanguage progressLanguage,
        boolean resume,
        BigDecimal jobMaxCostUsd) {

    /** The poll interval while the queue pushes news of work, unless configured. */
    public static final Duration DEFAULT_SAFETY_POLL_INTERVAL = Duration.ofMinutes(5);

    /** Settings with resuming on (the default) and no default cap on a job's costs. */
    public WorkerSettings(
            String workerId,
            Duration pollInterval,
            Duration safetyPollInterval,
            Duration leaseTime,
            Duration heartbeatInterval,
            int maxConcurrentJobs,
            Duration shutdownGrace,
            Duration analyzerStopTime,
            ProgressLanguage progressLanguage) {
        this(
                workerId,
                pollInterval,
                safetyPollInterval,
                leaseTime,
                heartbeatInterval,
                maxConcurrentJobs,
                shutdownGrace,
                analyzerStopTime,
                progressLanguage,
                true,
                null);
    }

    public WorkerSettings {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(safetyPollInterval, "safetyPollInterval");
        Objects.requireNonNull(leaseTime, "leaseTime");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(analyzerStopTime, "analyzerStopTime");
        Objects.requireNonNull(progressLanguage, "progressLanguage");
        jobMaxCostUsd = UsdAmounts.require("jobMaxCostUsd", jobMaxCostUsd);
        if (maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1");
        }
        if (pollInterval.isZero() || pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
        if (heartbeatInterval.multipliedBy(2).compareTo(leaseTime) >= 0) {
            throw new IllegalArgumentException("the heartbeat interval must be less than half the lease time");
        }
    }
}
