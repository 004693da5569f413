package io.fondation.shared;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JobQueue#claimOne(ClaimRequest)} answers: the claimed job, or none, and then whether the request's LLM
 * credential is paused for the fleet (issue 22). The claim reads the credential's pause anyway, so it says what it
 * found: a worker whose claim came back empty waits until the pause's end without reading the pause again (one call
 * per idle poll).
 *
 * @param claimed the claimed job, or {@code null} when none was claimed
 * @param paused when nothing was claimed because the request's {@link ClaimRequest#credential()} is paused: the pause
 *     that held the claim back ({@link LlmPause#resumesAt()} is when a claim may go again, {@link LlmPause#until()}
 *     when the pause itself ends and only a probe's window may hold claims back); {@code null} otherwise (a job was
 *     claimed, nothing was due, the claim named no credential, or the queue keeps no pauses)
 */
public record ClaimResult(ClaimedJob claimed, LlmPause paused) {

    /** Nothing claimed, and no pause holds the claim back. */
    public static final ClaimResult NONE = new ClaimResult(null, null);

    public ClaimResult {
        if (claimed != null && paused != null) {
            throw new IllegalArgumentException("a claim that got a job was not held back by a pause");
        }
    }

    /** A claim that got {@code job}. */
    public static ClaimResult of(ClaimedJob job) {
        return new ClaimResult(Objects.requireNonNull(job, "job"), null);
    }

    /** The answer of a queue that keeps no pauses: the job, or {@link #NONE}. */
    public static ClaimResult of(Optional<ClaimedJob> job) {
        return job.map(ClaimResult::of).orElse(NONE);
    }

    /** A claim that got nothing because {@code pause} holds the credential's claims back. */
    public static ClaimResult pausedBy(LlmPause pause) {
        return new ClaimResult(null, Objects.requireNonNull(pause, "pause"));
    }

    /** The claimed job, when one was claimed. */
    public Optional<ClaimedJob> job() {
        return Optional.ofNullable(claimed);
    }

    /** The pause that held an empty claim back, when one did. */
    public Optional<LlmPause> pause() {
        return Optional.ofNullable(paused);
    }
}
