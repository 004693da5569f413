package io.fondation.worker.preflight;

import io.fondation.shared.ConfigurationException;
import io.fondation.worker.analyzer.AnalyzerLauncher;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.git.Workspaces;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a worker passes before it claims anything ({@code run} and {@code dev}): the analyzer can start, and
 * {@code TEMP_DIR} is a writable directory with room. A failure stops the start with one line naming the setting
 * (exit code 2), so a misconfigured worker never touches a job. The same checks run again while a worker fault
 * is open, before the worker tries a job again.
 */
public final class Preflight {

    private Preflight() {}

    /** The checks for {@code config}, without the checks that need the worker's launcher (credential, sandbox). */
    public static List<FitnessCheck> checks(
            WorkerConfig config, Workspaces workspaces, Map<String, String> environment) {
        return checks(config, workspaces, null, environment);
    }

    /**
     * The checks for {@code config}.
     *
     * @param launcher the worker's analyzer launcher: its containment and the analyzer's environment are checked too
     */
    public static List<FitnessCheck> checks(
            WorkerConfig config, Workspaces workspaces, AnalyzerLauncher launcher, Map<String, String> environment) {
        return List.of(new AnalyzerCheck(config.analyzer(), environment, launcher), new WorkspaceCheck(workspaces));
    }

    /**
     * Runs the checks.
     *
     * @throws ConfigurationException the first problem found
     */
    public static void require(List<FitnessCheck> checks) {
        for (FitnessCheck check : checks) {
            Optional<ConfigurationException> problem = check.problem();
            if (problem.isPresent()) {
                throw problem.get();
            }
        }
    }
}
