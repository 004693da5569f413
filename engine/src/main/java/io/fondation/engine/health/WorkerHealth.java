package io.fondation.engine.health;

import io.fondation.engine.analyzer.ContainmentReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of the worker's health, for {@code /health}, {@code /health/live} and {@code /health/ready}.
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
 * @param live whether the process works (its poll loop runs, or it is starting)
 * @param ready whether it should be given work: live, the queue answers, no worker fault is open
 * @param notReadyBecause why it is not ready (empty when ready)
 * @param workerFault the open worker fault, or {@code null}
 * @param nextFaultCheck when the open worker fault is checked again, or {@code null}
 * @param pushLive whether the queue pushes news of work (else the worker polls)
 * @param containment which analyzer runs and what holds its processes (and why not more), or {@code null} when
 *     unknown
 * @param pausedUntil until when the queue's pause for the worker's LLM credential holds its claims back (issue 22):
 *     the worker is ready, but claims nothing before then; {@code null} when no pause holds
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
        int consecutivePollFailures,
        boolean live,
        boolean ready,
        List<String> notReadyBecause,
        String workerFault,
        Instant nextFaultCheck,
        boolean pushLive,
        ContainmentReport containment,
        Instant pausedUntil) {

    public WorkerHealth {
        notReadyBecause = List.copyOf(notReadyBecause);
    }

    /** This snapshot with what holds the analyzer. */
    public WorkerHealth withContainment(ContainmentReport value) {
        return new WorkerHealth(
                status,
                workerId,
                state,
                startedAt,
                uptime,
                activeJobs,
                maxConcurrentJobs,
                lastPollAt,
                lastClaimAt,
                lastError,
                lastErrorAt,
                consecutivePollFailures,
                live,
                ready,
                notReadyBecause,
                workerFault,
                nextFaultCheck,
                pushLive,
                value,
                pausedUntil);
    }
}
