package io.fondation.engine.preflight;

import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.git.TempDirWorkspaces;
import io.fondation.shared.ConfigurationException;
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

    /** The checks for {@code analyzer}, without the checks that need the worker's launcher (credential, sandbox). */
    public static List<FitnessCheck> checks(
            AnalyzerSettings analyzer, TempDirWorkspaces workspaces, Map<String, String> environment) {
        return checks(analyzer, workspaces, null, environment);
    }

    /**
     * The checks of a worker that runs {@code analyzer} in {@code workspaces}.
     *
     * @param launcher the worker's analyzer launcher: its containment and the analyzer's environment are checked too
     */
    public static List<FitnessCheck> checks(
            AnalyzerSettings analyzer,
            TempDirWorkspaces workspaces,
            AnalyzerLauncher launcher,
            Map<String, String> environment) {
        return List.of(new AnalyzerCheck(analyzer, environment, launcher), new WorkspaceCheck(workspaces));
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
