package io.fondation.shared;

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
 */
public record ClaimedJob(String id, CloneSource source, String prompt, int attempt, int maxAttempts, JobLease lease) {

    public ClaimedJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(lease, "lease");
        prompt = prompt == null ? "" : prompt;
    }

    /** Whether a failure of this attempt exhausts the job. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }
}
