package io.fondation.engine.git;

import io.fondation.shared.CloneSource;
import io.fondation.shared.GitCredentials;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Checks out a job's repository: the worker's port to git ({@link RepositoryCloner}, or a test's own). */
public interface Cloner {

    /**
     * Clones {@code source} into {@code directory}, which must not exist or be empty.
     *
     * @param cancelled polled while cloning; when it turns true the clone stops with a {@code CANCELED} failure
     * @param credentials the credentials of this clone (the job owner's token); empty for the configured ones
     * @throws CloneException with the classified failure
     */
    ClonedRepository clone(
            CloneSource source, Path directory, BooleanSupplier cancelled, Optional<GitCredentials> credentials)
            throws CloneException;

    /**
     * Clones {@code source} as {@link #clone} does, checking out {@code commit} when the branch still has it (the
     * commit a job's checkpoint was made from), else the branch's head: the caller compares the commit returned.
     * By default, the branch's head.
     *
     * @param commit the full id of the commit wanted
     */
    default ClonedRepository clone(
            CloneSource source,
            Path directory,
            String commit,
            BooleanSupplier cancelled,
            Optional<GitCredentials> credentials)
            throws CloneException {
        return clone(source, directory, cancelled, credentials);
    }
}
