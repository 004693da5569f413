package io.fondation.shared;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One pause of the fleet for an LLM credential (issue 22): while it holds, no claim naming the credential gets a job.
 * Once {@link #until()} passed, one claim (the probe) gets a job; the others wait until the probe's worker reports a
 * new limit, clears the pause, or its window ends ({@link #resumesAt()}).
 *
 * @param credential the credential's fingerprint (never the credential)
 * @param kind what the API refused with
 * @param until when the pause itself ends (the next claim is the probe)
 * @param resumesAt when claims for the credential may go again: {@code until}, or once a probe went out the end of
 *     its window
 * @param strikes limits met in a row (each one doubles the pause, capped)
 * @param since when the streak of limits began
 * @param retryAfter what the API asked to wait, or {@code null}
 * @param probeUntil the end of the probe's window once a probe went out, or {@code null}
 * @param probeBy the worker holding the probe, or {@code null}
 * @param recordedBy the worker that recorded the last limit
 * @param updatedAt the last change
 */
public record LlmPause(
        String credential,
        LlmLimitKind kind,
        Instant until,
        Instant resumesAt,
        int strikes,
        Instant since,
        Duration retryAfter,
        Instant probeUntil,
        String probeBy,
        String recordedBy,
        Instant updatedAt) {

    public LlmPause {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(resumesAt, "resumesAt");
    }

    /** Whether claims for the credential still get nothing at {@code now}. */
    public boolean holdsAt(Instant now) {
        return now.isBefore(resumesAt);
    }
}
