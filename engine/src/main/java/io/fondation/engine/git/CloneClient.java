package io.fondation.engine.git;

import io.fondation.shared.GitCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One way of making a shallow, single-branch clone. {@link RepositoryCloner} validates the location, decides which
 * credentials apply and handles cancellation around it; a client only fetches and checks out.
 */
interface CloneClient {

    /** The client's name in logs and figures. */
    GitClient kind();

    /**
     * Clones {@code target} into {@code directory}.
     *
     * @param branch the requested branch, or null for the remote's default
     * @param credentials credentials for this clone, already checked to belong to the target's origin
     * @param networkTimeout how long the transfer may make no progress
     * @return the checked-out repository (its duration is filled in by the caller)
     */
    ClonedRepository clone(
            CloneTarget target,
            String branch,
            Path directory,
            Optional<GitCredentials> credentials,
            Duration networkTimeout,
            BooleanSupplier cancelled)
            throws CloneException;

    /**
     * Checks out {@code commit} in a clone this client just made of {@code target}, fetching it alone (depth 1) when
     * the clone lacks it: the commit a job's checkpoint was made from, when the branch moved on since. By default a
     * client cannot.
     *
     * @param commit a full commit id (hex)
     * @return whether {@code commit} is checked out now; false when the remote does not serve it (gone, or a server
     *     that gives only branch heads), the clone then unchanged
     */
    default boolean checkoutCommit(
            CloneTarget target,
            Path directory,
            String commit,
            Optional<GitCredentials> credentials,
            Duration networkTimeout,
            BooleanSupplier cancelled)
            throws CloneException {
        return false;
    }
}
