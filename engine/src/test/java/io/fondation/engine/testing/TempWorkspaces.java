package io.fondation.engine.testing;

import io.fondation.engine.git.JobWorkspace;
import io.fondation.engine.git.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A workspaces port in a test's directory: one folder per job, and as much free space as the test says. */
public final class TempWorkspaces implements Workspaces {

    private final Path root;
    private volatile String missingSpace;

    public TempWorkspaces(Path root) {
        this.root = root;
    }

    /** From now on a job cannot start for lack of space ({@code null}: there is room again). */
    public TempWorkspaces noSpace(String problem) {
        this.missingSpace = problem;
        return this;
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public JobWorkspace create(String jobId) throws IOException {
        Path dir = Files.createTempDirectory(Files.createDirectories(root), jobId + "-");
        JobWorkspace workspace = new JobWorkspace(dir);
        Files.createDirectories(workspace.outputDir());
        Files.createDirectories(workspace.stateDir());
        return workspace;
    }

    @Override
    public Optional<String> missingFreeSpace() {
        return Optional.ofNullable(missingSpace);
    }

    @Override
    public int deleteStale() {
        return 0;
    }

    @Override
    public void close() {
        // nothing held
    }
}
