package io.fondation.engine.runtime;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.engine.health.OpenFault;
import io.fondation.engine.preflight.FitnessCheck;
import io.fondation.shared.Backoff;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.JobFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker that is at fault from claiming jobs, and lets it recover by itself: a circuit breaker
 * (Resilience4j) around claiming. One worker fault opens it; the worker then claims nothing. After a wait that
 * doubles on each failed re-check (from {@link #FIRST_RECHECK} up to {@link #MAX_RECHECK}) it half-opens: the
 * {@link FitnessCheck}s run, and if they pass one trial job is claimed. The trial ending without a worker fault
 * closes the breaker; a check failing or the trial meeting a worker fault opens it again.
 */
final class WorkerFaults {

    static final Duration FIRST_RECHECK = Duration.ofSeconds(5);
    static final Duration MAX_RECHECK = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(WorkerFaults.class);

    private final Clock clock;
    private final List<FitnessCheck> checks;
    private final EventSink events;
    /** The waits before the re-checks: {@link #FIRST_RECHECK} doubling up to {@link #MAX_RECHECK}. */
    private final Backoff rechecks;

    private final CircuitBreaker breaker;
    private JobFailure fault;
    private Instant since;
    private Instant nextCheck;
    private int opens;
    private boolean trialClaimed;
    /** Whether giving a job back spends an attempt on this queue ({@code JobQueue#releaseSpendsAttempt}). */
    private final boolean releaseSpendsAttempt;

    WorkerFaults(
            Clock clock,
            List<FitnessCheck> checks,
            EventSink events,
            Duration firstRecheck,
            Duration maxRecheck,
            boolean releaseSpendsAttempt) {
        this.releaseSpendsAttempt = releaseSpendsAttempt;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checks = List.copyOf(checks);
        this.events = Objects.requireNonNull(events, "events");
        this.rechecks = Backoff.doubling(firstRecheck, maxRecheck);
        IntervalFunction waits = opened -> rechecks.delay(opened).toMillis();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(1)
                .minimumNumberOfCalls(1)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                .waitIntervalFunctionInOpenState(waits)
                .recordException(e -> true)
                .clock(clock)
                .build();
        this.breaker = CircuitBreaker.of("worker-faults", config);
    }

    /**
     * Whether the worker may claim a job now. While a fault is open, no; when it is time to re-check, the
     * fitness checks run and, if they pass, this one claim is the trial.
     */
    synchronized boolean tryClaim() {
        if (breaker.getState() == CircuitBreaker.State.CLOSED) {
            return true;
        }
        if (trialClaimed || !breaker.tryAcquirePermission()) {
            return false;
        }
        for (FitnessCheck check : checks) {
            Optional<ConfigurationException> problem = check.problem();
            if (problem.isPresent()) {
                record(JobFailure.of(check.faultKind(), problem.get().getMessage()));
                return false;
            }
        }
        trialClaimed = true;
        LOG.info("checking whether the worker fault ({}) cleared: trying one job", fault.kind());
        return true;
    }

    /** The claim {@link #tryClaim} allowed found no job: a trial must wait for one. */
    synchronized void claimFoundNothing() {
        if (trialClaimed) {
            trialClaimed = false;
            breaker.releasePermission();
        }
    }

    /** An attempt ended: a worker fault opens the breaker; anything else closes it after a trial. */
    synchronized void attemptEnded(AttemptOutcome outcome) {
        if (outcome instanceof AttemptOutcome.Released released && released.fault() != null) {
            record(released.fault());
            return;
        }
        if (trialClaimed) {
            trialClaimed = false;
            breaker.onSuccess(0, TimeUnit.MILLISECONDS);
            LOG.info("worker fault ({}) cleared: claiming jobs again", fault.kind());
            fault = null;
            since = null;
            nextCheck = null;
            opens = 0;
            events.publish(new WorkerEvent.WorkerRecovered());
        }
    }

    /** The open fault, if any. */
    synchronized Optional<OpenFault> open() {
        return fault == null ? Optional.empty() : Optional.of(new OpenFault(fault, since, nextCheck));
    }

    private void record(JobFailure newFault) {
        boolean first = fault == null;
        trialClaimed = false;
        if (breaker.getState() != CircuitBreaker.State.OPEN) {
            breaker.onError(
                    0,
                    TimeUnit.MILLISECONDS,
                    new IllegalStateException(newFault.kind().name()));
            opens++;
        }
        fault = newFault;
        Instant now = clock.instant();
        since = first ? now : since;
        Duration wait = rechecks.delay(Math.max(1, opens));
        nextCheck = now.plus(wait);
        if (first) {
            LOG.error(
                    "WORKER FAULT ({}): {}. This is the worker's fault, not the jobs': they go back to the queue"
                            + " {}, this worker claims nothing more and reports not ready,"
                            + " and it checks again in {} (then less and less often, up to every {}), resuming by"
                            + " itself once the fault clears.",
                    newFault.kind(),
                    newFault.message(),
                    releaseSpendsAttempt
                            ? "(spending an attempt: the queue's functions have no release)"
                            : "without spending an attempt",
                    OutcomeText.human(wait),
                    OutcomeText.human(MAX_RECHECK));
        } else {
            LOG.warn(
                    "worker fault still there ({}): {}; next check in {}",
                    newFault.kind(),
                    newFault.message(),
                    OutcomeText.human(wait));
        }
        events.publish(new WorkerEvent.WorkerFaultFound(newFault, wait));
    }
}
