package io.fondation.shared;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A job as the worker that claimed it sees it.
 *
 * @param id the job id
 * @param source what to clone
 * @param prompt the analysis prompt
 * @param attempt the number of this attempt, starting at 1
 * @param maxAttempts attempts allowed before the job is dead
 * @param lease the lease this claim holds
 * @param owner who the job belongs to, in the queue's own terms (a Convex {@code users} id), or {@code null};
 *     the queue uses it to find the job's clone credentials ({@link JobQueue#cloneCredentials})
 * @param dueAt since when the job could be claimed (its {@code runAt}: creation, end of a retry's backoff, release),
 *     or {@code null} when the queue does not say; the worker measures the pickup latency from it
 * @param terms the job's user, priority, cost so far and budget left, from a queue with {@link FleetSupport} (any of
 *     its features), or {@code null} when the queue does not say
 */
public record ClaimedJob(
        String id,
        CloneSource source,
        String prompt,
        int attempt,
        int maxAttempts,
        JobLease lease,
        String owner,
        Instant dueAt,
        ClaimTerms terms) {

    public ClaimedJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(lease, "lease");
        prompt = prompt == null ? "" : prompt;
        if (attempt < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException(
                    "attempt and maxAttempts must be at least 1, were " + attempt + " and " + maxAttempts);
        }
    }

    /** A job of a queue that tells no {@link ClaimTerms}. */
    public ClaimedJob(
            String id,
            CloneSource source,
            String prompt,
            int attempt,
            int maxAttempts,
            JobLease lease,
            String owner,
            Instant dueAt) {
        this(id, source, prompt, attempt, maxAttempts, lease, owner, dueAt, null);
    }

    /** A job whose due time the queue does not tell. */
    public ClaimedJob(
            String id, CloneSource source, String prompt, int attempt, int maxAttempts, JobLease lease, String owner) {
        this(id, source, prompt, attempt, maxAttempts, lease, owner, null, null);
    }

    /** A job without an owner, whose due time the queue does not tell. */
    public ClaimedJob(String id, CloneSource source, String prompt, int attempt, int maxAttempts, JobLease lease) {
        this(id, source, prompt, attempt, maxAttempts, lease, null, null, null);
    }

    /** What the queue says about the job's user, priority and budget, when it says anything. */
    public Optional<ClaimTerms> claimTerms() {
        return Optional.ofNullable(terms);
    }

    /**
     * The same claim marked as the probe of its credential's pause ({@link ClaimTerms#probe()}); unchanged when the
     * queue said no terms (it keeps no pauses).
     */
    public ClaimedJob asProbe() {
        if (terms == null) {
            return this;
        }
        return new ClaimedJob(
                id,
                source,
                prompt,
                attempt,
                maxAttempts,
                lease,
                owner,
                dueAt,
                new ClaimTerms(terms.userKey(), terms.priority(), terms.costUsd(), terms.budgetUsd(), true));
    }

    /** Whether a failure of this attempt exhausts the job. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }
}
