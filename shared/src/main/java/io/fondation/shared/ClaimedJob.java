package io.fondation.shared;

import java.time.Instant;
import java.util.Objects;

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
 */
public record ClaimedJob(
        String id,
        CloneSource source,
        String prompt,
        int attempt,
        int maxAttempts,
        JobLease lease,
        String owner,
        Instant dueAt) {

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

    /** A job whose due time the queue does not tell. */
    public ClaimedJob(
            String id, CloneSource source, String prompt, int attempt, int maxAttempts, JobLease lease, String owner) {
        this(id, source, prompt, attempt, maxAttempts, lease, owner, null);
    }

    /** A job without an owner, whose due time the queue does not tell. */
    public ClaimedJob(String id, CloneSource source, String prompt, int attempt, int maxAttempts, JobLease lease) {
        this(id, source, prompt, attempt, maxAttempts, lease, null, null);
    }

    /** Whether a failure of this attempt exhausts the job. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }
}
