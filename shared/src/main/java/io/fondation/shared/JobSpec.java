package io.fondation.shared;

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
 */
public record JobSpec(CloneSource source, String prompt, int maxAttempts, Instant runAt, String dedupeKey) {

    /** The default of the existing system. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    public JobSpec {
        Objects.requireNonNull(source, "source");
        prompt = prompt == null ? "" : prompt;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
    }

    /** A job for {@code source} with the default prompt handling and attempts. */
    public static JobSpec of(CloneSource source, String prompt) {
        return new JobSpec(source, prompt, DEFAULT_MAX_ATTEMPTS, null, null);
    }

    public JobSpec withMaxAttempts(int value) {
        return new JobSpec(source, prompt, value, runAt, dedupeKey);
    }

    public JobSpec withRunAt(Instant value) {
        return new JobSpec(source, prompt, maxAttempts, value, dedupeKey);
    }

    public JobSpec withDedupeKey(String value) {
        return new JobSpec(source, prompt, maxAttempts, runAt, value);
    }
}
