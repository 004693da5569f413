package io.fondation.engine.health;

import io.fondation.shared.JobFailure;
import java.time.Instant;
import java.util.Objects;

/**
 * A worker fault that holds the worker's claims, as health reports it: what, since when, and when the worker checks
 * again.
 *
 * @param fault the failure that opened it
 * @param since when it opened
 * @param nextCheck when the worker runs its checks again
 */
public record OpenFault(JobFailure fault, Instant since, Instant nextCheck) {

    public OpenFault {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(nextCheck, "nextCheck");
    }
}
