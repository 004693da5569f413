package io.fondation.shared;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one backoff every retry loop of the project uses: the wait before the {@code n}-th retry is
 * {@code min(first · multiplier^(n-1), max)}, optionally spread by {@link Jitter}. Pure: {@link #delay(int, double)}
 * takes the retry number and the random number, so a decision can be reproduced in a test; a loop keeps its count in
 * a {@link Sequence}.
 *
 * <p>Its users, each naming the parameters where they are configured: the poll loop after failed claims
 * ({@code POLL_INTERVAL} doubling up to a minute), a job's failed heartbeats (a third of {@code HEARTBEAT_INTERVAL},
 * at most 5 s, constant up to the lease's deadline), the final writes of an attempt, the re-checks of a worker fault
 * (5 s doubling up to 5 min), the embedded queue's busy database, the Convex client's retried calls and its sync
 * socket's reconnects, the webhook callbacks ({@code CALLBACK_RETRY_DELAY} doubling up to 10 s), and
 * {@link RetryPolicy}'s wait before a job's next attempt.
 *
 * @param first the wait before the first retry (zero or more)
 * @param multiplier how each wait grows from the one before (2 doubles, 1 keeps it constant)
 * @param max the cap of the waits (at least {@code first})
 * @param jitter how a wait is spread so that many clients do not come back in step
 */
public record Backoff(Duration first, double multiplier, Duration max, Jitter jitter) {

    /** How a wait is spread. */
    public enum Jitter {
        /** The wait as computed. */
        NONE,
        /** Uniform in {@code [wait/2, wait)} ("equal jitter"): reconnects of many clients do not come back in step. */
        EQUAL
    }

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(jitter, "jitter");
        if (first.isNegative() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 <= first <= max, was " + first + " and " + max);
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("a backoff's multiplier must be at least 1, was " + multiplier);
        }
    }

    /** Waits that double from {@code first} up to {@code max}, without jitter. */
    public static Backoff doubling(Duration first, Duration max) {
        return new Backoff(first, 2, max, Jitter.NONE);
    }

    /** This backoff with {@code value} as its jitter. */
    public Backoff withJitter(Jitter value) {
        return new Backoff(first, multiplier, max, value);
    }

    /**
     * The wait before retry {@code retry}, without jitter.
     *
     * @param retry 1 for the first retry
     */
    public Duration delay(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("the first retry is 1, was " + retry);
        }
        long cap = max.toMillis();
        // why: in double, multiplier^(retry-1) cannot overflow; it reaches the cap long before it loses precision
        double millis = first.toMillis() * Math.pow(multiplier, retry - 1);
        return Duration.ofMillis(millis >= cap ? cap : (long) millis);
    }

    /**
     * The wait before retry {@code retry}, spread by the jitter.
     *
     * @param random a number in {@code [0, 1)} choosing where in the spread
     */
    public Duration delay(int retry, double random) {
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1), was " + random);
        }
        Duration wait = delay(retry);
        if (jitter == Jitter.NONE) {
            return wait;
        }
        long half = Math.max(1, wait.toMillis() / 2);
        return Duration.ofMillis(half + (long) Math.floor(random * half));
    }

    /** A count of retries for one loop, starting at none. */
    public Sequence sequence() {
        return new Sequence(this);
    }

    /** The retries of one loop: each {@link #next()} is the wait before the next retry. Not thread-safe. */
    public static final class Sequence {
        private final Backoff backoff;
        private int retries;

        private Sequence(Backoff backoff) {
            this.backoff = backoff;
        }

        /** The wait before the next retry; the one after grows. */
        public Duration next() {
            retries = retries == Integer.MAX_VALUE ? retries : retries + 1;
            return backoff.delay(retries, ThreadLocalRandom.current().nextDouble());
        }

        /** After a success: the next wait is the first again. */
        public void reset() {
            retries = 0;
        }

        /** How many waits were handed out since the last reset. */
        public int retries() {
            return retries;
        }

        /** The backoff this sequence follows. */
        public Backoff backoff() {
            return backoff;
        }
    }
}
