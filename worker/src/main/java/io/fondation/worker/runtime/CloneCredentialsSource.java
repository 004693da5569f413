package io.fondation.worker.runtime;

import io.fondation.shared.ClaimedJob;
import io.fondation.worker.git.CloneCredentials;
import java.util.Optional;

/**
 * Where the credentials of a job's clone come from, e.g. the Convex queue's token of the job's owner.
 * Empty means the configured {@code GITHUB_TOKEN}, if any.
 */
@FunctionalInterface
public interface CloneCredentialsSource {

    /** No per-job credentials. */
    CloneCredentialsSource NONE = job -> Optional.empty();

    /**
     * @throws io.fondation.shared.ConfigurationException when the worker cannot read them (a missing key)
     * @throws io.fondation.shared.JobQueueException when their store cannot be reached
     */
    Optional<CloneCredentials> credentialsFor(ClaimedJob job);
}
