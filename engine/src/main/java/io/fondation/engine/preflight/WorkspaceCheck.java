package io.fondation.engine.preflight;

import io.fondation.engine.git.TempDirWorkspaces;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether {@code TEMP_DIR} is a writable directory with the free space a job needs ({@code MIN_FREE_DISK_MB}). */
public final class WorkspaceCheck implements FitnessCheck {

    private final TempDirWorkspaces workspaces;

    public WorkspaceCheck(TempDirWorkspaces workspaces) {
        this.workspaces = workspaces;
    }

    @Override
    public String name() {
        return "workspace";
    }

    @Override
    public FailureKind faultKind() {
        return FailureKind.WORKSPACE;
    }

    @Override
    public Optional<ConfigurationException> problem() {
        Path dir = workspaces.tempDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of(new ConfigurationException("TEMP_DIR", "'" + dir + "' exists but is not a directory"));
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            return Optional.of(new ConfigurationException("TEMP_DIR", "'" + dir + "' is not writable: " + e));
        }
        return workspaces.missingFreeSpace().map(problem -> new ConfigurationException("MIN_FREE_DISK_MB", problem));
    }
}
