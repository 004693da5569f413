package io.fondation.http.oneshot;

import io.fondation.http.HttpDefaults;
import io.fondation.http.callback.CallbackTarget;
import io.fondation.shared.Backoff;
import io.fondation.shared.CloneSource;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code run-job} runs and where it reports.
 *
 * @param jobId {@code JOB_ID}: the caller's id of the job, echoed in every callback
 * @param source {@code REPOSITORY_URL} and {@code BRANCH}, or {@code null} when they were refused
 * @param refusal why the job's own input ({@code REPOSITORY_URL}, {@code BRANCH}) was refused, naming the variable,
 *     or {@code null}: a refused job is not run, and its receiver gets an {@code error} callback saying why
 * @param prompt {@code --prompt}, may be empty
 * @param maxAttempts {@code --max-attempts}: attempts within this run (retryable failures are retried with the
 *     standard backoff)
 * @param callback {@code CALLBACK_URL} (after the localhost rewrite) and {@code CALLBACK_TOKEN}
 * @param localhostRewritten whether {@code CALLBACK_URL} pointed at localhost and was rewritten
 * @param callbackRetries {@code CALLBACK_RETRIES}: tries after the first for the final callback
 * @param callbackRetryDelay {@code CALLBACK_RETRY_DELAY}: the first wait between tries (then doubling)
 * @param callbackTimeout {@code CALLBACK_TIMEOUT}: how long one post may take
 * @param maxPayloadBytes {@code CALLBACK_MAX_PAYLOAD_BYTES}: the largest complete callback sent
 */
public record OneShotSettings(
        String jobId,
        CloneSource source,
        String refusal,
        String prompt,
        int maxAttempts,
        CallbackTarget callback,
        boolean localhostRewritten,
        int callbackRetries,
        Duration callbackRetryDelay,
        Duration callbackTimeout,
        long maxPayloadBytes) {

    /** The longest wait between two tries of a callback. */
    public static final Duration MAX_RETRY_DELAY = HttpDefaults.CALLBACK_MAX_RETRY_DELAY;

    /** The waits between the tries of a callback: {@code CALLBACK_RETRY_DELAY} doubling up to {@link #MAX_RETRY_DELAY}. */
    public Backoff callbackBackoff() {
        return Backoff.doubling(callbackRetryDelay, MAX_RETRY_DELAY);
    }

    /** Progress callbacks get at most this many tries: a newer one soon replaces a lost one. */
    public static final int MAX_PROGRESS_TRIES = 3;

    public OneShotSettings {
        Objects.requireNonNull(jobId, "jobId");
        if ((source == null) == (refusal == null)) {
            throw new IllegalArgumentException("exactly one of source and refusal");
        }
        prompt = prompt == null ? "" : prompt;
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(callbackRetryDelay, "callbackRetryDelay");
        Objects.requireNonNull(callbackTimeout, "callbackTimeout");
    }

    /** Tries of the final callback ({@code complete} or {@code error}). */
    public int finalTries() {
        return callbackRetries + 1;
    }

    /** Tries of each progress callback. */
    public int progressTries() {
        return Math.min(MAX_PROGRESS_TRIES, callbackRetries + 1);
    }
}
