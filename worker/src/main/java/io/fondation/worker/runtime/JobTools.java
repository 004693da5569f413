package io.fondation.worker.runtime;

import io.fondation.worker.git.RepositoryCloner;
import io.fondation.worker.git.Workspaces;
import java.util.Objects;

/**
 * What a job execution works with: where it clones, how, and what analyses the clone.
 *
 * @param workspaces creates the per-job directories under {@code TEMP_DIR}
 * @param cloner clones the job's repository
 * @param analyzer starts the configured analyzer
 * @param credentials the per-job clone credentials
 */
public record JobTools(Workspaces workspaces, RepositoryCloner cloner, AnalyzerLauncher analyzer,
                       CloneCredentialsSource credentials) {

    public JobTools {
        Objects.requireNonNull(workspaces, "workspaces");
        Objects.requireNonNull(cloner, "cloner");
        Objects.requireNonNull(analyzer, "analyzer");
        Objects.requireNonNull(credentials, "credentials");
    }

    /** Tools without per-job credentials. */
    public JobTools(Workspaces workspaces, RepositoryCloner cloner, AnalyzerLauncher analyzer) {
        this(workspaces, cloner, analyzer, CloneCredentialsSource.NONE);
    }

    /** The same tools with another source of per-job credentials. */
    public JobTools withCredentials(CloneCredentialsSource source) {
        return new JobTools(workspaces, cloner, analyzer, source);
    }
}
