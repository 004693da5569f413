package io.fondation.http.callback;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends progress callbacks on a thread of its own, so that a slow or failing receiver never slows or fails the
 * job. Coalesced: at most one callback waits per progress step ({@code key}); a newer message for the step that
 * is waiting replaces it, and a step is never skipped. Each callback gets {@code tries} tries; one that still
 * fails is dropped (and counted), and the next is sent.
 *
 * <p>{@link #finish(Duration)} lets what is waiting go out within a bound and then stops the thread, so no
 * progress callback can follow the final one.
 */
public final class ProgressCallbacks implements AutoCloseable {

    /** The most callbacks that wait at once (far more than the steps of an attempt); beyond, the oldest goes. */
    static final int MAX_WAITING = 64;

    private static final Logger LOG = LoggerFactory.getLogger(ProgressCallbacks.class);

    private record Waiting(String key, byte[] body) {}

    private final CallbackClient client;
    private final CallbackTarget target;
    private final int tries;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private final Thread thread;
    private boolean sending;
    private boolean stopped;
    private int delivered;
    private int dropped;

    public ProgressCallbacks(CallbackClient client, CallbackTarget target, int tries) {
        this.client = Objects.requireNonNull(client, "client");
        this.target = Objects.requireNonNull(target, "target");
        this.tries = Math.max(1, tries);
        this.thread = new Thread(this::loop, "fondation-progress-callbacks");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a progress callback for the step {@code key}, replacing the one of the same step still waiting. */
    public void offer(String key, byte[] body) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            Waiting last = waiting.peekLast();
            if (last != null && last.key().equals(key)) {
                waiting.pollLast();
            } else if (waiting.size() >= MAX_WAITING) {
                waiting.pollFirst();
                dropped++;
            }
            waiting.addLast(new Waiting(key, body));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets the waiting callbacks go out for at most {@code max}, then stops: nothing is sent after this returns.
     *
     * @return whether every offered callback was delivered
     */
    public boolean finish(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        lock.lock();
        try {
            while ((!waiting.isEmpty() || sending) && System.nanoTime() < deadline) {
                changed.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            int left = waiting.size();
            if (left > 0) {
                LOG.warn("{} progress callback(s) not sent before the final callback; dropped", left);
                dropped += left;
                waiting.clear();
            }
            stopped = true;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dropped() == 0;
    }

    /** Progress callbacks delivered so far. */
    public int delivered() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    /** Progress callbacks given up (their tries failed, or they were still waiting at the end). */
    public int dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        finish(Duration.ZERO);
    }

    private void loop() {
        while (true) {
            Waiting next;
            lock.lock();
            try {
                while (waiting.isEmpty() && !stopped) {
                    changed.await();
                }
                if (stopped) {
                    return;
                }
                next = waiting.pollFirst();
                sending = true;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Delivery delivery = client.post(target, "progress", next.body(), tries);
            lock.lock();
            try {
                sending = false;
                if (delivery.delivered()) {
                    delivered++;
                } else {
                    dropped++;
                    LOG.warn(
                            "progress callback dropped after {} tries: {}; the job goes on",
                            delivery.tries(),
                            delivery.problem());
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
