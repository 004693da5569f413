package io.fondation.convexqueue.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, for reconnecting: the {@code n}-th wait (from 0) is drawn uniformly from
 * {@code [base/2, base)} with {@code base = min(max, initial · 2^n)}, so that many clients that lost the same
 * server do not come back in step. Not thread-safe (the sync connection uses it from its own thread).
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        this.initial = initial;
        this.max = max;
    }

    /** The wait before the next try; each call doubles the next one, up to the cap. */
    Duration next() {
        long cap = max.toMillis();
        long base = initial.toMillis();
        for (int i = 0; i < failures && base < cap; i++) {
            base *= 2;
        }
        base = Math.min(base, cap);
        failures++;
        long half = Math.max(1, base / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half));
    }

    /** The cap of the waits. */
    Duration max() {
        return max;
    }

    /** After a success: the next wait is short again. */
    void reset() {
        failures = 0;
    }

    /** How many waits were handed out since the last reset. */
    int failures() {
        return failures;
    }
}
