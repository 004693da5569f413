package io.fondation.worker.runtime;

import io.fondation.shared.JobQueue;
import io.fondation.worker.analyzer.AnalyzerLauncher;
import io.fondation.worker.config.QueueSettings;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.git.RepositoryCloner;
import io.fondation.worker.git.Workspaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a job execution works with: where it clones, how, and what analyses the clone.
 *
 * @param workspaces creates the per-job directories under {@code TEMP_DIR}
 * @param cloner clones the job's repository
 * @param analyzer starts the configured analyzer
 */
public record JobTools(Workspaces workspaces, RepositoryCloner cloner, AnalyzerLauncher analyzer) {

    public JobTools {
        Objects.requireNonNull(workspaces, "workspaces");
        Objects.requireNonNull(cloner, "cloner");
        Objects.requireNonNull(analyzer, "analyzer");
    }

    /**
     * The tools {@code config} describes; output files larger than the queue stores are refused when the output
     * is read.
     *
     * @param environment the environment the analyzer's is filtered from
     * @param queue the queue the documents go to (its {@link JobQueue#limits()})
     */
    public static JobTools fromConfig(WorkerConfig config, Map<String, String> environment, JobQueue queue) {
        RepositoryCloner cloner = new RepositoryCloner(
                        config.gitBaseUrl(), config.githubToken(), RepositoryCloner.DEFAULT_NETWORK_TIMEOUT)
                .localRepositoriesAllowed(config.allowLocalRepositories());
        return new JobTools(
                new Workspaces(config.tempDir(), config.workerId(), config.minFreeDiskBytes()),
                config.gitClient() == null ? cloner : cloner.using(config.gitClient()),
                AnalyzerLauncher.withDefaults(
                        config.analyzer(),
                        environment,
                        queue.limits().maxDocumentContentBytes(),
                        hiddenFromTheAnalyzer(config, environment)));
    }

    /**
     * What the analyzer must not see: {@code TEMP_DIR} (the other jobs' workspaces; its own shows through), the
     * worker's {@code HOME} (as its environment says, and the user's home) and the embedded queue's directory.
     */
    static List<Path> hiddenFromTheAnalyzer(WorkerConfig config, Map<String, String> environment) {
        List<Path> hidden = new ArrayList<>();
        hidden.add(config.tempDir());
        String home = environment.get("HOME");
        if (home != null && !home.isBlank()) {
            hidden.add(Path.of(home));
        }
        hidden.add(Path.of(System.getProperty("user.home")));
        if (config.queue().kind() == QueueSettings.Kind.EMBEDDED) {
            Path parent = config.queue().embeddedDbPath().toAbsolutePath().getParent();
            if (parent != null) {
                hidden.add(parent);
            }
        }
        return hidden.stream()
                .map(dir -> dir.toAbsolutePath().normalize())
                .filter(dir -> dir.getNameCount() > 0)
                .distinct()
                .toList();
    }
}
