package io.fondation.convexqueue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a worker waits after a push before it claims, so that many workers woken by the same push do not all
 * claim the one new job (a thundering herd). The wait is drawn uniformly from {@code [0, spread)}: the spread
 * starts at zero (a lone worker claims at once), doubles (from {@link #STEP} up to the cap) each time a claim made
 * after a push finds nothing — this worker lost the race — and halves each time one finds a job. Among {@code n}
 * woken workers the first then claims after about {@code spread / n}; by the time the others' waits end the
 * winner's claim has been pushed and they see that nothing is due any more, so they do not claim at all.
 * Thread-safe.
 */
final class ClaimPacer {

    /** The smallest spread after a lost race. */
    static final long STEP = 20;

    private final long maxSpreadMillis;
    private long spreadMillis;

    ClaimPacer(Duration maxSpread) {
        this.maxSpreadMillis = Math.max(0, maxSpread.toMillis());
    }

    /** The wait before acting on a push. */
    synchronized Duration delay() {
        return spreadMillis == 0
                ? Duration.ZERO
                : Duration.ofMillis(ThreadLocalRandom.current().nextLong(spreadMillis));
    }

    /** A claim made after a push found a job ({@code true}) or nothing. */
    synchronized void claimed(boolean found) {
        if (found) {
            spreadMillis = spreadMillis / 2 < STEP ? 0 : spreadMillis / 2;
        } else {
            spreadMillis = Math.min(maxSpreadMillis, Math.max(STEP, spreadMillis * 2));
        }
    }

    synchronized long spreadMillis() {
        return spreadMillis;
    }
}
