package io.fondation.engine.health;

import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Hears what the poll loop, the final writes and the heartbeats learn about the queue (the worker's
 * {@link WorkerEvent}s: it is one of the sinks of its event channel) and turns it into a {@link WorkerHealth}.
 * Idle time never counts against health: a worker that polls an empty queue for hours is healthy (the existing
 * worker said "degraded" after ten idle minutes). Heartbeat trouble shows at once: a failed heartbeat, or one
 * overdue by half an interval while jobs run (a heartbeat that hangs), makes the worker degraded.
 */
public final class HealthTracker implements EventSink {

    private final Clock clock;
    private final String workerId;
    private final int maxConcurrentJobs;
    private final Duration errorWindow;
    private final Duration heartbeatInterval;

    private volatile Instant startedAt;
    private volatile Instant lastPollAt;
    private volatile Instant lastClaimAt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile int consecutivePollFailures;
    private volatile Instant lastHeartbeatOkAt;
    /** Until when the queue's pause for the worker's LLM credential holds claims back, or {@code null}. */
    private volatile Instant pausedUntil;

    private volatile boolean heartbeatFailing;

    /**
     * @param errorWindow how long a queue error keeps the worker degraded after it happened
     * @param heartbeatInterval the period of heartbeats, to tell an overdue one
     */
    public HealthTracker(
            Clock clock, String workerId, int maxConcurrentJobs, Duration errorWindow, Duration heartbeatInterval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.workerId = Objects.requireNonNull(workerId, "workerId");
        this.maxConcurrentJobs = maxConcurrentJobs;
        this.errorWindow = Objects.requireNonNull(errorWindow, "errorWindow");
        this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    }

    /** How long errors count: three poll intervals, at least a minute. */
    public static Duration errorWindowFor(Duration pollInterval) {
        Duration three = pollInterval.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) > 0 ? three : Duration.ofMinutes(1);
    }

    @Override
    public void publish(WorkerEvent event) {
        if (event instanceof WorkerEvent.Started) {
            started();
        } else if (event instanceof WorkerEvent.ClaimAnswered answered) {
            pollSucceeded(answered.claimed());
        } else if (event instanceof WorkerEvent.ClaimsPaused paused) {
            pausedUntil = paused.until();
        } else if (event instanceof WorkerEvent.ClaimFailed failed) {
            pollFailed("claim failed: " + failed.error());
        } else if (event instanceof WorkerEvent.LoopFailed failed) {
            queueError("poll loop error: " + failed.error());
        } else if (event instanceof WorkerEvent.WriteFailed failed) {
            queueError(failed.write() + " failed: " + failed.error());
        } else if (event instanceof WorkerEvent.HeartbeatSent) {
            heartbeatSucceeded();
        } else if (event instanceof WorkerEvent.HeartbeatFailed failed) {
            heartbeatFailed("heartbeat failed: " + failed.error());
        }
    }

    private void started() {
        startedAt = clock.instant();
    }

    private void pollSucceeded(boolean claimed) {
        Instant now = clock.instant();
        lastPollAt = now;
        consecutivePollFailures = 0;
        if (claimed) {
            lastClaimAt = now;
            pausedUntil = null;
        }
    }

    private void pollFailed(String error) {
        consecutivePollFailures++;
        queueError(error);
    }

    private void queueError(String error) {
        lastError = error;
        lastErrorAt = clock.instant();
    }

    private void heartbeatSucceeded() {
        lastHeartbeatOkAt = clock.instant();
        heartbeatFailing = false;
    }

    private void heartbeatFailed(String error) {
        heartbeatFailing = true;
        queueError(error);
    }

    /**
     * The health now.
     *
     * @param state the worker's state, in lower case
     * @param pollLoopRunning whether the poll loop runs (or the manual driver drives it)
     * @param activeJobs how many attempts run now
     * @param fault the open worker fault, if any
     * @param pushLive whether the queue pushes news of work now
     */
    public WorkerHealth snapshot(
            String state,
            boolean pollLoopRunning,
            IntSupplier activeJobs,
            Optional<OpenFault> fault,
            boolean pushLive) {
        Instant now = clock.instant();
        Instant errorAt = lastErrorAt;
        int active = activeJobs.getAsInt();
        boolean heartbeatOverdue = active > 0
                && lastHeartbeatOkAt != null
                && Duration.between(lastHeartbeatOkAt, now)
                                .compareTo(heartbeatInterval.plus(heartbeatInterval.dividedBy(2)))
                        > 0;
        boolean recentError = errorAt != null && Duration.between(errorAt, now).compareTo(errorWindow) < 0;
        HealthStatus status;
        if (!pollLoopRunning) {
            status = HealthStatus.UNHEALTHY;
        } else if (consecutivePollFailures > 0
                || recentError
                || heartbeatFailing
                || heartbeatOverdue
                || fault.isPresent()) {
            status = HealthStatus.DEGRADED;
        } else {
            status = HealthStatus.HEALTHY;
        }
        List<String> notReady = new ArrayList<>();
        if (!pollLoopRunning) {
            notReady.add("the worker is " + state);
        }
        if (consecutivePollFailures > 0) {
            notReady.add("the queue does not answer (" + consecutivePollFailures + " claim calls failed in a row)");
        } else if (pollLoopRunning && lastPollAt == null) {
            notReady.add("the queue has not answered yet");
        }
        fault.ifPresent(open -> notReady.add(
                "worker fault (" + open.fault().kind() + "): " + open.fault().message()));
        Instant started = startedAt;
        Duration uptime = started == null ? Duration.ZERO : Duration.between(started, now);
        return new WorkerHealth(
                status,
                workerId,
                state,
                started,
                uptime.isNegative() ? Duration.ZERO : uptime,
                active,
                maxConcurrentJobs,
                lastPollAt,
                lastClaimAt,
                lastError,
                errorAt,
                consecutivePollFailures,
                pollLoopRunning || state.equals("not_started"),
                notReady.isEmpty(),
                notReady,
                fault.map(open -> open.fault().kind() + ": " + open.fault().message())
                        .orElse(null),
                fault.map(OpenFault::nextCheck).orElse(null),
                pushLive,
                null,
                pausedUntil != null && now.isBefore(pausedUntil) ? pausedUntil : null);
    }
}
