package io.fondation.engine.runtime;

import io.fondation.engine.analyzer.Analyzer;
import io.fondation.engine.git.Cloner;
import io.fondation.engine.git.Workspaces;
import java.util.Objects;

/**
 * The ports an attempt reaches the world through: where it gets its directory, how it clones, what analyses the
 * clone. The application gives the real ones ({@link io.fondation.engine.git.TempDirWorkspaces},
 * {@link io.fondation.engine.git.RepositoryCloner}, {@link io.fondation.engine.analyzer.AnalyzerLauncher}); a test
 * may give its own, so that the runtime runs without git or a child process.
 *
 * @param workspaces creates the per-job directories
 * @param cloner clones the job's repository
 * @param analyzer starts the analysis
 */
public record JobTools(Workspaces workspaces, Cloner cloner, Analyzer analyzer) {

    public JobTools {
        Objects.requireNonNull(workspaces, "workspaces");
        Objects.requireNonNull(cloner, "cloner");
        Objects.requireNonNull(analyzer, "analyzer");
    }
}
