package io.fondation.shared;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides what happens to a failed attempt. Pure: the caller passes the time and a random number,
 * so the decision is reproducible in tests.
 *
 * <p>Backoff after the {@code n}-th spent attempt is {@code min(base·2^(n-1), max)} ({@link Backoff#doubling}) plus a jitter
 * in {@code [0, maxJitter)}, the formula of the existing Convex queue. A non-retryable failure
 * ends the job as {@code failed} at once; running out of attempts ends it as {@code dead}.
 *
 * @param baseDelay delay after the first failure (5 s)
 * @param maxDelay cap of the exponential part (10 min)
 * @param maxJitter upper bound of the random extra delay (5 s)
 */
public record RetryPolicy(Duration baseDelay, Duration maxDelay, Duration maxJitter) {

    public static final Duration DEFAULT_BASE_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAX_JITTER = Duration.ofSeconds(5);
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_JITTER);

    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxJitter, "maxJitter");
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0 || maxJitter.isNegative()) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= base <= max and jitter >= 0");
        }
    }

    /**
     * The delay after {@code attempts} spent attempts.
     *
     * @param attempts attempts spent, including the one that just failed (at least 1)
     * @param random a number in {@code [0, 1)} choosing the jitter
     */
    public Duration backoff(int attempts, double random) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        }
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1), was " + random);
        }
        Duration exponential = Backoff.doubling(baseDelay, maxDelay).delay(attempts);
        long jitter = (long) Math.floor(random * maxJitter.toMillis());
        return exponential.plusMillis(jitter);
    }

    /**
     * The decision for a failed attempt.
     *
     * @param attemptsBefore attempts spent before this failure
     * @param maxAttempts attempts allowed
     * @param failure what went wrong
     * @param now the current time
     * @param random a number in {@code [0, 1)} choosing the jitter
     */
    public RetryDecision decide(int attemptsBefore, int maxAttempts, JobFailure failure, Instant now, double random) {
        int attempts = attemptsBefore + 1;
        if (!failure.retryable()) {
            return new RetryDecision.GaveUp(JobStatus.FAILED, attempts);
        }
        if (attempts >= maxAttempts) {
            return new RetryDecision.GaveUp(JobStatus.DEAD, attempts);
        }
        Duration delay = backoff(attempts, random);
        if (failure.minRetryDelay().compareTo(delay) > 0) {
            delay = failure.minRetryDelay();
        }
        return new RetryDecision.Retrying(now.plus(delay), attempts);
    }

    /**
     * What happens to a job whose holder vanished (its lease expired): one attempt is spent; the job is
     * {@code pending} and due at once, or {@code dead} when attempts ran out.
     *
     * @return the status the job takes
     */
    public JobStatus afterExpiredLease(int attemptsBefore, int maxAttempts) {
        return attemptsBefore + 1 >= maxAttempts ? JobStatus.DEAD : JobStatus.PENDING;
    }
}
