package io.fondation.worker.cli;

import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.ForwardingJobQueue;
import io.fondation.shared.JobQueue;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The queue of {@code run --once}: forwards every call to the real queue ({@link ForwardingJobQueue}), but lets only
 * one claim succeed. The worker around it is the ordinary one (its poll loop, leases, heartbeats, SIGTERM release):
 * after the one claim its loop simply finds nothing, so the one-job mode adds no path of its own inside the engine.
 */
final class OneClaimQueue extends ForwardingJobQueue {

    private final Runnable onClaim;
    private String claimed;
    private boolean closed;

    /** @param onClaim called once, on the claiming thread, when the one claim succeeded */
    OneClaimQueue(JobQueue delegate, Runnable onClaim) {
        super(delegate);
        this.onClaim = Objects.requireNonNull(onClaim, "onClaim");
    }

    /**
     * Refuses every later claim.
     *
     * @return the id of the job claimed before, or empty when none was
     */
    synchronized Optional<String> closeClaims() {
        closed = true;
        return Optional.ofNullable(claimed);
    }

    /** The id of the job claimed, or empty while none is. */
    synchronized Optional<String> claimedJob() {
        return Optional.ofNullable(claimed);
    }

    /**
     * Claims through the queue until one claim succeeded or claims were {@linkplain #closeClaims closed}; then finds
     * nothing. Synchronized with {@link #closeClaims()}, so that a claim in flight when the idle timeout ends is
     * either counted or never made.
     */
    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        return once(() -> ClaimResult.of(delegate().claimOne(workerId, leaseDuration)))
                .job();
    }

    /**
     * The same single claim, with the request's fleet terms (issue 22). After it, the answer is {@link
     * ClaimResult#NONE}: no pause holds the loop back, it simply finds nothing.
     */
    @Override
    public ClaimResult claimOne(ClaimRequest request) {
        return once(() -> delegate().claimOne(request));
    }

    private synchronized ClaimResult once(Supplier<ClaimResult> claim) {
        if (claimed != null || closed) {
            return ClaimResult.NONE;
        }
        ClaimResult answer = claim.get();
        answer.job().ifPresent(j -> {
            claimed = j.id();
            onClaim.run();
        });
        return answer;
    }
}
