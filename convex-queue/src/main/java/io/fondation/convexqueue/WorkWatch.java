package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.WatchQuery.WorkState;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.ConvexSubscription;
import io.fondation.convexqueue.client.SubscriptionListener;
import io.fondation.shared.QueueWatch;
import java.time.Duration;
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
 * worker polls meanwhile instead of missing a retry that comes due.
 */
final class WorkWatch implements QueueWatch {

    private static final Logger LOG = LoggerFactory.getLogger(WorkWatch.class);
    /** A claim this soon after a wake-up is that wake-up's claim. */
    private static final long CLAIM_ATTRIBUTION_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Timers fire this much after the pushed time, so the deployment's clock has surely passed it. */
    private static final long TIMER_MARGIN_MILLIS = 5;

    private final Runnable onWorkMayBeDue;
    private final ClaimPacer pacer;
    private final ScheduledExecutorService executor;
    private final CountDownLatch firstResult = new CountDownLatch(1);
    private volatile ConvexSubscription subscription;

    // ---- on the executor
    private WorkState latest;
    private ScheduledFuture<?> timer;
    private boolean wakeScheduled;

    private volatile boolean uncertain;
    private volatile long wokeAtNanos;
    private volatile boolean wakeUnclaimed;
    private volatile boolean closed;

    private WorkWatch(Runnable onWorkMayBeDue, ClaimPacer pacer) {
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
     * already true on return when the deployment answers.
     */
    static WorkWatch start(
            ConvexClient client,
            WatchQuery<WorkState> query,
            Runnable onWorkMayBeDue,
            ClaimPacer pacer,
            Duration firstResultWait) {
        WorkWatch watch = new WorkWatch(onWorkMayBeDue, pacer);
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
            if (!watch.firstResult.await(firstResultWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info(
                        "no pushed queue state within {} ms; polling until the subscription to {} is live",
                        firstResultWait.toMillis(),
                        query.path());
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
        }
        if (!wakeUnclaimed || System.nanoTime() - wokeAtNanos > CLAIM_ATTRIBUTION_NANOS) {
            return;
        }
        wakeUnclaimed = false;
        pacer.claimed(found);
        if (!found) {
            post(() -> {
                if (latest != null && !latest.runAtKnown() && latest.pending() > 0) {
                    // Pending jobs that are not due, and no way to know when they will be: let the worker poll.
                    uncertain = true;
                }
            });
        }
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
        latest = state;
        if (state.pending() == 0) {
            uncertain = false;
        }
        evaluate();
    }

    /** Wakes (paced) when work is due by the latest state, else sets a timer for when it will be. */
    private void evaluate() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
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
