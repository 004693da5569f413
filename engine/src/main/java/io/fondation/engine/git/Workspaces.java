package io.fondation.engine.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the jobs of a worker get their private directories: the worker's port to its disk ({@link TempDirWorkspaces}
 * under {@code TEMP_DIR}, or a test's own).
 */
public interface Workspaces extends AutoCloseable {

    /** The folder the workspaces are created in, for messages. */
    Path root();

    /**
     * Creates a new, empty workspace for {@code jobId}, with its {@code output/} and {@code home/} folders.
     *
     * @throws IOException when the workspace cannot be written
     */
    JobWorkspace create(String jobId) throws IOException;

    /**
     * Whether a job can start for lack of disk space.
     *
     * @return the problem in words, naming the setting, or empty when there is room
     */
    Optional<String> missingFreeSpace();

    /**
     * Deletes the workspaces an earlier run of this worker left behind (at start).
     *
     * @return how many were deleted
     */
    int deleteStale();

    /** Lets go of the workspaces' folder; never throws. */
    @Override
    void close();
}
