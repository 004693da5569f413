package io.fondation.worker.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of the worker's health, for {@code /health}.
 *
 * @param status healthy, degraded or unhealthy
 * @param workerId the worker's id
 * @param state the lifecycle state (not_started, running, stopping, stopped)
 * @param startedAt when the worker started, or {@code null}
 * @param uptime time since start
 * @param activeJobs jobs running now
 * @param maxConcurrentJobs the limit
 * @param lastPollAt the end of the last successful claim call, or {@code null}
 * @param lastClaimAt when a job was last claimed, or {@code null}
 * @param lastError the last queue error, or {@code null}
 * @param lastErrorAt when it happened, or {@code null}
 * @param consecutivePollFailures claim calls that failed in a row
 */
public record WorkerHealth(
        HealthStatus status,
        String workerId,
        String state,
        Instant startedAt,
        Duration uptime,
        int activeJobs,
        int maxConcurrentJobs,
        Instant lastPollAt,
        Instant lastClaimAt,
        String lastError,
        Instant lastErrorAt,
        int consecutivePollFailures) {}
