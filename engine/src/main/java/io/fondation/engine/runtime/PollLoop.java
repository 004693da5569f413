package io.fondation.engine.runtime;

import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.Backoff;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobQueue;
import io.fondation.shared.LlmPause;
import io.fondation.shared.QueueWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims jobs while a slot is free and hands them on, until stopped (db-scheduler's {@code RunUntilShutdown}
 * with a {@link Waiter}). One round ({@link #pollOnce}) goes: stopped? → a free slot? → claiming allowed (no
 * open worker fault)? → claim → dispatch. After a claim it polls again at once; a finishing job, a pushed change
 * or a stop wakes its wait early. While the queue pushes news of work ({@link JobQueue#watchWork}) an idle loop
 * polls only at the safety interval; otherwise at {@code POLL_INTERVAL}; after a failed claim it backs off up to
 * a minute. The first claim goes out as soon as the loop starts, before it subscribes to the queue's news of work
 * (which may wait a moment for the first pushed state). It cannot die: every error is caught, logged and waited out.
 *
 * <p>Fleet rules (issue 22): every claim names the fingerprint of the analyzer's LLM credential and the worker's
 * {@code JOB_MAX_COST_USD} ({@link ClaimRequest}). When a claim finds nothing because the queue holds a pause for
 * that credential, the claim's answer says so ({@link ClaimResult#pause()}: no other call, so an idle poll is one
 * call), and the loop claims nothing more until the pause's end ({@link Round#PAUSED}): a pushed change or a
 * finishing job does not wake it into a claim that could only come back empty. Once the pause itself is over and
 * only another worker's probe holds claims back (until its window ends), a change does: the probe may have cleared
 * the pause.
 */
final class PollLoop implements Runnable {

    /** What a round of the loop did. */
    enum Round {
        CLAIMED,
        EMPTY,
        NO_FREE_SLOT,
        SUSPENDED,
        /** The queue holds a pause for this worker's LLM credential: no claim until it ends. */
        PAUSED,
        FAILED,
        STOPPED
    }

    /** Where claimed jobs go. */
    interface Dispatcher {
        boolean hasFreeSlot();

        void dispatch(ClaimedJob job, Instant claimStartedAt);

        /** Gives back a job claimed while the worker was stopping. */
        void giveBack(ClaimedJob job, String reason);
    }

    static final Duration MAX_ERROR_BACKOFF = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

    private final String workerId;
    private final JobQueue queue;
    private final Duration leaseTime;
    private final Duration pollInterval;
    private final Duration safetyInterval;
    private final Clock clock;
    private final WorkerFaults faults;
    private final EventSink events;
    private final Dispatcher dispatcher;
    private final Waiter waiter = new Waiter();
    /** The fingerprint of the analyzer's LLM credential, or {@code null}. */
    private final String credential;

    private final ClaimRequest request;
    /** Until when the credential's pause holds claims back, or {@code null}; the loop's thread only. */
    private Instant pausedUntil;
    /**
     * When the pause itself ends ({@link LlmPause#until()}); past it only the probe's window holds claims back, or
     * {@code null}; the loop's thread only.
     */
    private Instant pauseEnds;
    /** Whether the queue told of a change (or a job ended) since the last claim went out. */
    private volatile boolean changed;

    private volatile boolean running = true;
    private volatile QueueWatch watch = QueueWatch.NONE;
    private boolean loggedLive;

    /**
     * @param settings the worker's id, lease time and poll intervals
     * @param faults whether claiming is allowed now
     * @param events where what the claims learn goes
     * @param dispatcher the worker's job slots
     * @param credential the fingerprint of the analyzer's LLM credential, or {@code null}
     */
    PollLoop(
            WorkerSettings settings,
            JobQueue queue,
            Clock clock,
            WorkerFaults faults,
            EventSink events,
            Dispatcher dispatcher,
            String credential) {
        this.workerId = settings.workerId();
        this.queue = queue;
        this.leaseTime = settings.leaseTime();
        this.pollInterval = settings.pollInterval();
        Duration safety = settings.safetyPollInterval();
        this.safetyInterval = safety.compareTo(pollInterval) < 0 ? pollInterval : safety;
        this.clock = clock;
        this.faults = faults;
        this.events = events;
        this.dispatcher = dispatcher;
        this.credential = credential;
        this.request = new ClaimRequest(workerId, leaseTime, credential, settings.jobMaxCostUsd());
    }

    /** One round of the loop, on the caller's thread. */
    Round pollOnce() {
        if (!running) {
            return Round.STOPPED;
        }
        if (!dispatcher.hasFreeSlot()) {
            return Round.NO_FREE_SLOT;
        }
        if (pausedUntil != null) {
            Instant now = clock.instant();
            // why: while the pause itself holds a claim can only come back empty, whatever changed. Past it, only the
            // probe's window holds claims back, and the probe's worker clearing the pause (its analysis got answers)
            // or recording a new limit is a change the queue tells of: then the claim asks again (empty again: the
            // pause is read again). Without this the fleet waited out the probe's whole window (60 s) after the
            // probe's success (FleetPauseChaosTest).
            boolean probeWindowOnly = pauseEnds != null && !now.isBefore(pauseEnds);
            if (now.isBefore(pausedUntil) && !(probeWindowOnly && changed)) {
                return Round.PAUSED;
            }
            pausedUntil = null;
            pauseEnds = null;
        }
        if (!faults.tryClaim()) {
            return Round.SUSPENDED;
        }
        Instant started = clock.instant();
        changed = false;
        ClaimResult answer;
        try {
            answer = queue.claimOne(request);
        } catch (RuntimeException e) {
            faults.claimFoundNothing();
            events.publish(new WorkerEvent.ClaimFailed(e.getMessage()));
            LOG.warn("claiming a job failed: {}", e.toString());
            return Round.FAILED;
        }
        Optional<ClaimedJob> claimed = answer.job();
        events.publish(new WorkerEvent.ClaimAnswered(claimed.isPresent()));
        if (claimed.isEmpty()) {
            faults.claimFoundNothing();
            Optional<LlmPause> pause = pauseInForce(answer);
            pausedUntil = pause.map(LlmPause::resumesAt).orElse(null);
            pauseEnds = pause.map(LlmPause::until).orElse(null);
            return pausedUntil != null ? Round.PAUSED : Round.EMPTY;
        }
        if (!running) {
            dispatcher.giveBack(claimed.get(), "claimed while the worker was stopping");
            return Round.STOPPED;
        }
        dispatcher.dispatch(claimed.get(), started);
        return Round.CLAIMED;
    }

    @Override
    public void run() {
        // why: after a failed claim the loop waits POLL_INTERVAL, then twice that, up to a minute (or POLL_INTERVAL)
        Backoff.Sequence failures = Backoff.doubling(pollInterval, max(pollInterval, MAX_ERROR_BACKOFF))
                .sequence();
        boolean subscribed = false;
        while (running) {
            try {
                Round round = pollOnce();
                if (!subscribed) {
                    // why: the first claim goes out at once; subscribing may wait a moment for the first pushed state
                    subscribed = true;
                    subscribe();
                }
                switch (round) {
                    case CLAIMED -> failures.reset(); // poll again at once while slots are free
                    case FAILED -> waiter.await(failures.next());
                    case EMPTY, NO_FREE_SLOT -> {
                        failures.reset();
                        waiter.await(idleWait());
                    }
                    case SUSPENDED -> waiter.await(pollInterval);
                    case PAUSED -> awaitPauseEnd();
                    case STOPPED -> {
                        // the loop condition ends it
                    }
                }
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (Throwable e) {
                LOG.error("poll loop error; going on in {} ms", pollInterval.toMillis(), e);
                events.publish(new WorkerEvent.LoopFailed(e.toString()));
                try {
                    waiter.await(pollInterval);
                } catch (InterruptedException interrupted) {
                    if (!running) {
                        break;
                    }
                }
            }
        }
        closeWatch();
        LOG.debug("poll loop of {} ended", workerId);
    }

    /**
     * The pause that held an empty claim back, if it still holds claims back now: the claim's own answer, read in its
     * transaction (no other call).
     */
    private Optional<LlmPause> pauseInForce(ClaimResult answer) {
        Instant now = clock.instant();
        // why the filter: the pause was read at the queue's now; a claim that took long may come back after its end
        Optional<LlmPause> inForce = answer.pause().filter(p -> p.holdsAt(now));
        inForce.map(LlmPause::resumesAt).ifPresent(end -> {
            if (!end.equals(pausedUntil)) {
                LOG.info(
                        "the LLM credential {} is paused for the fleet until {}: claiming nothing until then",
                        credential,
                        end);
            }
            events.publish(new WorkerEvent.ClaimsPaused(credential, end));
        });
        return inForce;
    }

    /** Waits out the pause: a wake (a finishing job, pushed work) ends the wait, and the round decides again. */
    private void awaitPauseEnd() throws InterruptedException {
        Instant until = pausedUntil;
        if (until == null) {
            return;
        }
        Duration left = Duration.between(clock.instant(), until);
        if (!left.isNegative() && !left.isZero()) {
            waiter.await(left);
        }
    }

    /** Subscribes to the queue's news of work (once, after the first claim) and says whether it is live. */
    private void subscribe() {
        QueueWatch subscribed = watchWork();
        if (!running) {
            closeQuietly(subscribed);
            return;
        }
        watch = subscribed;
        loggedLive = subscribed.isLive();
        if (loggedLive) {
            LOG.info(
                    "the queue pushes news of work; polling every {} as a safety net",
                    OutcomeText.human(safetyInterval));
        } else if (subscribed != QueueWatch.NONE) {
            // why: DEBUG, the queue said why in its own line (a refused socket is one line, not one per try)
            LOG.debug("the queue's push is not live yet; polling every {} ms until it is", pollInterval.toMillis());
        }
    }

    /** Whether the queue pushes news of work right now. */
    boolean pushLive() {
        return watch.isLive();
    }

    /** Ends the current wait (a job ended, work was pushed). */
    void wake() {
        changed = true;
        waiter.wake();
    }

    /** Ends the loop after the current round. */
    void stop() {
        running = false;
        waiter.wake();
    }

    /** The wait of an idle round; says so in the log when the queue's push goes away or comes back. */
    private Duration idleWait() {
        boolean live = watch.isLive();
        if (live != loggedLive && watch != QueueWatch.NONE) {
            loggedLive = live;
            if (live) {
                LOG.info(
                        "the queue pushes news of work now; polling every {} as a safety net",
                        OutcomeText.human(safetyInterval));
            } else {
                LOG.info("the queue's push is down; polling every {} ms until it is back", pollInterval.toMillis());
            }
        }
        return live ? safetyInterval : pollInterval;
    }

    private QueueWatch watchWork() {
        try {
            return queue.watchWork(this::wake);
        } catch (RuntimeException e) {
            LOG.warn(
                    "the queue cannot push news of work; polling every {} ms: {}",
                    pollInterval.toMillis(),
                    e.toString());
            return QueueWatch.NONE;
        }
    }

    private void closeWatch() {
        closeQuietly(watch);
    }

    private static void closeQuietly(QueueWatch watch) {
        try {
            watch.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the work watch failed", e);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
