package io.fondation.shared;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to enqueue.
 *
 * @param source what to clone
 * @param prompt the analysis prompt (may be empty)
 * @param maxAttempts how many attempts before the job is dead; at least 1
 * @param runAt not before this instant, or {@code null} for now
 * @param dedupeKey if set, enqueueing while an active job has the same key returns that job's id
 * @param user whose turn the job waits for in fair claims (1 to 200 characters), or {@code null}: the one anonymous
 *     user that every job without a user shares. Kept by queues with {@link FleetSupport.Feature#FAIR_CLAIMS}.
 * @param priority higher first among the user's own due jobs, from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY}
 *     (0 by default). Kept by queues with {@link FleetSupport.Feature#FAIR_CLAIMS}.
 * @param maxCostUsd the most the job's attempts may cost together, or {@code null} for the claiming worker's default.
 *     Kept by queues with {@link FleetSupport.Feature#COST_BUDGETS}.
 */
public record JobSpec(
        CloneSource source,
        String prompt,
        int maxAttempts,
        Instant runAt,
        String dedupeKey,
        String user,
        int priority,
        BigDecimal maxCostUsd) {

    /** The default of the existing system. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** The lowest priority (the Convex functions' bound). */
    public static final int MIN_PRIORITY = -1_000;
    /** The highest priority. */
    public static final int MAX_PRIORITY = 1_000;

    public JobSpec {
        Objects.requireNonNull(source, "source");
        prompt = prompt == null ? "" : prompt;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (user != null) {
            user = user.strip();
            if (user.isEmpty() || user.length() > 200) {
                throw new IllegalArgumentException("user must be 1 to 200 characters, not blank");
            }
        }
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException(
                    "priority must be from " + MIN_PRIORITY + " to " + MAX_PRIORITY + ", was " + priority);
        }
        maxCostUsd = UsdAmounts.require("maxCostUsd", maxCostUsd);
    }

    /** A job of the anonymous user, priority 0, without a cap of its own. */
    public JobSpec(CloneSource source, String prompt, int maxAttempts, Instant runAt, String dedupeKey) {
        this(source, prompt, maxAttempts, runAt, dedupeKey, null, 0, null);
    }

    /** A job for {@code source} with the default prompt handling and attempts. */
    public static JobSpec of(CloneSource source, String prompt) {
        return new JobSpec(source, prompt, DEFAULT_MAX_ATTEMPTS, null, null);
    }

    public JobSpec withMaxAttempts(int value) {
        return new JobSpec(source, prompt, value, runAt, dedupeKey, user, priority, maxCostUsd);
    }

    public JobSpec withRunAt(Instant value) {
        return new JobSpec(source, prompt, maxAttempts, value, dedupeKey, user, priority, maxCostUsd);
    }

    public JobSpec withDedupeKey(String value) {
        return new JobSpec(source, prompt, maxAttempts, runAt, value, user, priority, maxCostUsd);
    }

    /** The same job for {@code value}'s turn ({@code null}: the anonymous user). */
    public JobSpec withUser(String value) {
        return new JobSpec(source, prompt, maxAttempts, runAt, dedupeKey, value, priority, maxCostUsd);
    }

    public JobSpec withPriority(int value) {
        return new JobSpec(source, prompt, maxAttempts, runAt, dedupeKey, user, value, maxCostUsd);
    }

    public JobSpec withMaxCostUsd(BigDecimal value) {
        return new JobSpec(source, prompt, maxAttempts, runAt, dedupeKey, user, priority, value);
    }
}
