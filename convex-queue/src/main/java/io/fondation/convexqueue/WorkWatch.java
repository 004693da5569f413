package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.WatchQuery.WorkState;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.ConvexSubscription;
import io.fondation.convexqueue.client.SubscriptionListener;
import io.fondation.shared.JobStatus;
import io.fondation.shared.QueueWatch;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.fondation.shared.JobQueue#watchWork} over a subscription to the queue's state ({@link WorkState}):
 * wakes the worker when a job is due now, sets a timer for the pushed earliest {@code runAt} or lease end, and
 * paces its wake-ups ({@link ClaimPacer}) by how this worker's claims after a push went. Before waking it looks
 * at the latest pushed state again, so a job another worker took meanwhile costs no claim.
 *
 * <p>Live while the subscription is. When the state cannot say when pending jobs are due (the legacy metrics) and
 * a claim after a push found nothing, it stops being live until the queue is empty or a claim succeeds, so the
 * worker polls meanwhile instead of missing a retry that comes due (at most until that retry's {@code runAt}, when
 * a claim finds it). Meanwhile a push whose pending count went up (a new job, a reclaimed or retried one) still
 * wakes the worker at once; a count at the query's cap ({@link WorkState#pendingCapped()}) cannot go up, so then
 * only the polling finds the new job. A value the reader cannot read ({@link WorkState#readable()}) makes the watch
 * not live: it is said once in a WARN, and the worker polls.
 */
final class WorkWatch implements QueueWatch {

    private static final Logger LOG = LoggerFactory.getLogger(WorkWatch.class);
    /** A claim this soon after a wake-up is that wake-up's claim. */
    private static final long CLAIM_ATTRIBUTION_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Timers fire this much after the pushed time, so the deployment's clock has surely passed it. */
    private static final long TIMER_MARGIN_MILLIS = 5;
    /** How often the wait for the first state looks whether the socket was refused. */
    private static final long FIRST_RESULT_SLICE_MILLIS = 20;

    private final Runnable onWorkMayBeDue;
    private final ClaimPacer pacer;
    private final ScheduledExecutorService executor;
    private final CountDownLatch firstResult = new CountDownLatch(1);
    private volatile ConvexSubscription subscription;

    private final String path;

    // ---- on the executor
    private WorkState latest;
    private ScheduledFuture<?> timer;
    private boolean wakeScheduled;
    /** The pending count when a claim after a wake-up found nothing (unknown runAt only); -1 when none. */
    private int pendingAtEmptyClaim = -1;
    /** The pending count when the worker was last woken. */
    private int pendingAtWake;

    private boolean warnedUnreadable;

    private volatile boolean uncertain;
    /** The latest readable state, for readers off the executor (the queue-depth metrics). */
    private volatile WorkState latestVolatile;

    private volatile long wokeAtNanos;
    private volatile boolean wakeUnclaimed;
    private volatile boolean closed;

    private WorkWatch(String path, Runnable onWorkMayBeDue, ClaimPacer pacer) {
        this.path = path;
        this.onWorkMayBeDue = onWorkMayBeDue;
        this.pacer = pacer;
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "convex-queue-watch");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        this.executor = scheduler;
    }

    /**
     * Subscribes and waits (at most {@code firstResultWait}) for the first state, so that {@link #isLive()} is
     * already true on return when the deployment answers. A sync socket that cannot be opened ends the wait at once
     * (the client says so in one line and retries quietly): the worker then polls without having waited.
     */
    static WorkWatch start(
            ConvexClient client,
            WatchQuery<WorkState> query,
            Runnable onWorkMayBeDue,
            ClaimPacer pacer,
            Duration firstResultWait) {
        WorkWatch watch = new WorkWatch(query.path(), onWorkMayBeDue, pacer);
        watch.subscription = client.subscribe(query.path(), query.args(), new SubscriptionListener() {
            @Override
            public void onUpdate(JsonNode value) {
                WorkState state = query.reader().apply(value);
                watch.post(() -> watch.update(state));
                watch.firstResult.countDown();
            }

            @Override
            public void onError(ConvexException error) {
                watch.failed(query.path(), error);
                watch.firstResult.countDown();
            }
        });
        try {
            long deadline = System.nanoTime() + firstResultWait.toNanos();
            while (!watch.firstResult.await(FIRST_RESULT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.info(
                            "no pushed queue state within {} ms; polling until the subscription to {} is live",
                            firstResultWait.toMillis(),
                            query.path());
                    break;
                }
                if (client.syncStatus().failedConnects() > 0) {
                    // The socket was refused: the client logged it once and retries with backoff; no reason to wait.
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return watch;
    }

    @Override
    public boolean isLive() {
        ConvexSubscription current = subscription;
        return !closed && !uncertain && current != null && current.isLive();
    }

    @Override
    public void close() {
        closed = true;
        subscription.close();
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "WorkWatch[" + subscription.path() + (isLive() ? ", live" : "") + "]";
    }

    /**
     * The outcome of a claim. The first claim after a wake-up tells the pacer whether this worker won; later or
     * unprompted ones (the safety poll, the claim after a job ends) do not count.
     */
    void claimed(boolean found) {
        if (found) {
            uncertain = false;
            post(() -> pendingAtEmptyClaim = -1);
        }
        if (!wakeUnclaimed || System.nanoTime() - wokeAtNanos > CLAIM_ATTRIBUTION_NANOS) {
            return;
        }
        wakeUnclaimed = false;
        pacer.claimed(found);
        if (!found) {
            post(() -> {
                if (latest == null || latest.runAtKnown() || latest.pending() == 0) {
                    return;
                }
                if (latest.pending() < pendingAtWake) {
                    // Another worker took a job since the wake-up: a lost race, not a job that is not due. The pushed
                    // count says the rest.
                    return;
                }
                // Pending jobs that are not due, and no way to know when they will be: let the worker poll, and wake
                // it only when the count goes up.
                uncertain = true;
                pendingAtEmptyClaim = latest.pending();
            });
        }
    }

    /** The counts of the latest pushed state while the watch is live; {@code null} otherwise or when it has none. */
    Map<JobStatus, Long> liveCounts() {
        WorkState state = latestVolatile;
        return state != null && subscriptionLive() ? state.counts() : null;
    }

    private boolean subscriptionLive() {
        ConvexSubscription current = subscription;
        return !closed && current != null && current.isLive();
    }

    private void failed(String path, ConvexException error) {
        if (error instanceof ConvexFunctionException function && function.isUnknownFunction()) {
            LOG.warn("the deployment has no {} (deploy convex-queue/convex for pushed pickup); polling", path);
        } else {
            LOG.warn("the pushed queue state ({}) failed: {}; polling until it answers", path, error.getMessage());
        }
    }

    private void post(Runnable task) {
        if (closed) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("the work watch failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void update(WorkState state) {
        if (!state.readable()) {
            if (!warnedUnreadable) {
                warnedUnreadable = true;
                LOG.warn(
                        "the pushed value of {} does not have the shape this worker reads; polling instead of"
                                + " trusting it",
                        path);
            }
            latest = null;
            latestVolatile = null;
            uncertain = true;
            cancelTimer();
            return;
        }
        if (warnedUnreadable) {
            warnedUnreadable = false;
            LOG.info("the pushed value of {} is readable again", path);
            uncertain = false;
        }
        latest = state;
        latestVolatile = state;
        if (state.pending() == 0) {
            uncertain = false;
            pendingAtEmptyClaim = -1;
        } else if (uncertain && !state.runAtKnown()) {
            if (state.pendingCapped() || state.pending() <= pendingAtEmptyClaim) {
                // Nothing newly pending that the count can show: the worker polls meanwhile. A lower count (a job
                // claimed or ended) lowers the mark, so that the next new job shows.
                pendingAtEmptyClaim = Math.min(pendingAtEmptyClaim, state.pending());
                cancelTimer();
                return;
            }
            // A job became pending since the empty claim (new, reclaimed or retried): it may be due.
            pendingAtEmptyClaim = state.pending();
        }
        evaluate();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Wakes (paced) when work is due by the latest state, else sets a timer for when it will be. */
    private void evaluate() {
        cancelTimer();
        if (latest == null) {
            return;
        }
        long due = latest.dueAt();
        if (due == Long.MAX_VALUE) {
            return;
        }
        long untilDue = due - serverNowMillis();
        if (untilDue <= 0) {
            if (!wakeScheduled) {
                wakeScheduled = true;
                long delay = pacer.delay().toMillis();
                if (delay == 0) {
                    wake();
                } else {
                    executor.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        timer = executor.schedule(this::evaluate, untilDue + TIMER_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void wake() {
        wakeScheduled = false;
        if (closed || latest == null || latest.dueAt() > serverNowMillis()) {
            // Taken (or moved) meanwhile: the state pushed since says so; nothing to claim.
            evaluate();
            return;
        }
        wokeAtNanos = System.nanoTime();
        pendingAtWake = latest.pending();
        wakeUnclaimed = true;
        try {
            onWorkMayBeDue.run();
        } catch (RuntimeException e) {
            LOG.warn("the work listener failed", e);
        }
    }

    private long serverNowMillis() {
        ConvexSubscription current = subscription;
        return System.currentTimeMillis()
                + (current == null ? 0 : current.serverClockOffset().toMillis());
    }
}
