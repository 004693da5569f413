package io.fondation.worker.assembly;

import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.git.RepositoryCloner;
import io.fondation.engine.git.TempDirWorkspaces;
import io.fondation.engine.preflight.Preflight;
import io.fondation.engine.runtime.JobTools;
import io.fondation.engine.runtime.Worker;
import io.fondation.shared.JobQueue;
import io.fondation.worker.config.QueueSettings;
import io.fondation.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the application's {@link WorkerConfig} into what the engine takes: its {@link
 * io.fondation.engine.runtime.WorkerSettings}, the job tools (workspaces under {@code TEMP_DIR}, the cloner, the
 * analyzer launcher with the dry-run analyzer registered as a kind) and the {@link Preflight} checks.
 */
public final class WorkerAssembly {

    private WorkerAssembly() {}

    /**
     * A builder of the worker {@code config} describes on {@code queue}, with its tools and its start-up checks.
     *
     * @param environment the environment the analyzer's is filtered from
     */
    public static Worker.Builder builder(WorkerConfig config, JobQueue queue, Map<String, String> environment) {
        TempDirWorkspaces workspaces = workspaces(config);
        AnalyzerLauncher analyzer = analyzer(config, environment, queue);
        return Worker.builder(config.workerSettings(), queue, new JobTools(workspaces, cloner(config), analyzer))
                .fitnessChecks(Preflight.checks(config.analyzer(), workspaces, analyzer, environment));
    }

    /**
     * The builder of {@code run-job}'s worker: {@link #builder} but for the start-up checks, which leave out the
     * launcher's (the sandbox, the {@code claude} credential): a run-job analyzer that cannot start fails its job
     * with a worker fault, reported to the webhook, instead of stopping the worker before the job.
     */
    public static Worker.Builder oneShotBuilder(WorkerConfig config, JobQueue queue, Map<String, String> environment) {
        TempDirWorkspaces workspaces = workspaces(config);
        return Worker.builder(
                        config.workerSettings(),
                        queue,
                        new JobTools(workspaces, cloner(config), analyzer(config, environment, queue)))
                .fitnessChecks(Preflight.checks(config.analyzer(), workspaces, environment));
    }

    /**
     * The tools {@code config} describes; output files larger than the queue stores are refused when the output
     * is read.
     *
     * @param environment the environment the analyzer's is filtered from
     * @param queue the queue the documents go to (its {@link JobQueue#limits()})
     */
    public static JobTools tools(WorkerConfig config, Map<String, String> environment, JobQueue queue) {
        return new JobTools(workspaces(config), cloner(config), analyzer(config, environment, queue));
    }

    /** The workspaces under {@code TEMP_DIR}. */
    public static TempDirWorkspaces workspaces(WorkerConfig config) {
        return new TempDirWorkspaces(config.tempDir(), config.workerId(), config.minFreeDiskBytes());
    }

    /** The cloner of {@code GIT_CLIENT}, {@code GIT_BASE_URL}, {@code GITHUB_TOKEN}, {@code ALLOW_LOCAL_REPOSITORIES}. */
    static RepositoryCloner cloner(WorkerConfig config) {
        RepositoryCloner cloner = new RepositoryCloner(
                        config.gitBaseUrl(), config.githubToken(), RepositoryCloner.DEFAULT_NETWORK_TIMEOUT)
                .localRepositoriesAllowed(config.allowLocalRepositories());
        return config.gitClient() == null ? cloner : cloner.using(config.gitClient());
    }

    /** The launcher of the configured analyzer, with this application's analyzer kinds and hidden directories. */
    static AnalyzerLauncher analyzer(WorkerConfig config, Map<String, String> environment, JobQueue queue) {
        return AnalyzerLauncher.withDefaults(
                config.analyzer(),
                environment,
                queue.limits().maxDocumentContentBytes(),
                hiddenFromTheAnalyzer(config, environment),
                analyzerPrograms());
    }

    /** The analyzer kinds this application brings: the offline dry-run analyzer. */
    public static Map<AnalyzerSettings.Kind, io.fondation.engine.analyzer.AnalyzerProgram> analyzerPrograms() {
        return Map.of(AnalyzerSettings.Kind.DRY_RUN, DryRunKind.INSTANCE);
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
