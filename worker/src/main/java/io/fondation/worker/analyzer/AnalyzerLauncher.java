package io.fondation.worker.analyzer;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.fondation.CommandTemplate;
import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.ConfigurationException;
import io.fondation.worker.config.AnalyzerSettings;
import io.fondation.worker.dryrun.DryRunCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts the configured analyzer for a job through the cli-bridge {@link AnalysisRunner}:
 * the Fondation CLI ({@code ANALYZER=fondation}), a command template ({@code command}) or the offline
 * dry-run analyzer ({@code dry-run}). The child's environment is the allow-listed part of the worker's
 * ({@link EnvironmentPolicy}), so worker secrets never reach it, with {@code HOME=CLAUDE_HOME} when set.
 * The child runs in the cloned repository.
 */
public final class AnalyzerLauncher {

    private final AnalyzerSettings settings;
    private final Map<String, String> childEnvironment;
    private final AnalysisRunner runner;

    /**
     * @param settings what to run
     * @param sourceEnvironment the worker's environment, filtered for the child
     * @param runner runs and reports the analysis
     * @throws ConfigurationException when ANALYZER_ENV_EXTRAS names something that may not be passed
     */
    public AnalyzerLauncher(AnalyzerSettings settings, Map<String, String> sourceEnvironment, AnalysisRunner runner) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.runner = Objects.requireNonNull(runner, "runner");
        EnvironmentPolicy policy;
        try {
            policy = EnvironmentPolicy.defaults().withExtras(settings.envExtras());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("ANALYZER_ENV_EXTRAS", e.getMessage());
        }
        this.childEnvironment = Map.copyOf(policy.filter(sourceEnvironment, settings.claudeHome()));
    }

    /** A launcher with the cli-bridge defaults (process runner, output limits, failure classifier). */
    public static AnalyzerLauncher withDefaults(AnalyzerSettings settings, Map<String, String> sourceEnvironment) {
        return withDefaults(settings, sourceEnvironment, (int) OutputLimits.DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * A launcher with the cli-bridge defaults, refusing output files larger than {@code maxFileBytes} (what the
     * queue stores per document).
     */
    public static AnalyzerLauncher withDefaults(
            AnalyzerSettings settings, Map<String, String> sourceEnvironment, int maxFileBytes) {
        OutputLimits limits = new OutputLimits(
                OutputLimits.DEFAULT_MAX_FILES,
                Math.min(maxFileBytes, OutputLimits.DEFAULT_MAX_FILE_BYTES),
                OutputLimits.DEFAULT_MAX_TOTAL_BYTES);
        return new AnalyzerLauncher(
                settings,
                sourceEnvironment,
                new AnalysisRunner(new ProcessRunner(), new OutputCollector(limits), new FailureClassifier()));
    }

    /**
     * Checks what can be checked before any job: the settings name an analyzer at all.
     *
     * @throws ConfigurationException naming the missing setting
     */
    public void requireConfigured() {
        if (settings.kind() == AnalyzerSettings.Kind.FONDATION && settings.cliPath() == null) {
            throw new ConfigurationException(
                    "CLI_PATH",
                    "not set; ANALYZER=fondation needs the path of the Fondation CLI (dist/cli.bundled.mjs)");
        }
    }

    /**
     * Starts the analyzer on a cloned repository.
     *
     * @throws ConfigurationException when the analyzer is not configured or its files are missing;
     *     a missing or non-executable program is reported by the returned analysis as a CONFIGURATION failure
     */
    public RunningAnalysis start(ClaimedJob job, Path repository, Path outputDir, AnalysisListener listener) {
        ProcessSpec spec = spec(job, repository, outputDir);
        return runner.start(spec, outputDir, listener);
    }

    /** The process to run for a job. */
    ProcessSpec spec(ClaimedJob job, Path repository, Path outputDir) {
        if (settings.kind() == AnalyzerSettings.Kind.FONDATION) {
            return fondation(repository, outputDir);
        }
        List<String> command = settings.kind() == AnalyzerSettings.Kind.COMMAND
                ? template(job, repository, outputDir)
                : DryRunCommand.argv(repository, outputDir);
        return new ProcessSpec(command, repository, childEnvironment, settings.timeout(), settings.killGrace());
    }

    private ProcessSpec fondation(Path repository, Path outputDir) {
        requireConfigured();
        Path cli = settings.cliPath();
        if (!Files.isRegularFile(cli)) {
            throw new ConfigurationException("CLI_PATH", "'" + cli + "' does not exist or is not a file");
        }
        return FondationCliCommand.builder()
                .runtime(settings.cliRuntime())
                .cliPath(cli)
                .repository(repository)
                .profile(settings.cliProfile())
                .outputDir(outputDir)
                .workingDirectory(repository)
                .environment(childEnvironment)
                .timeout(settings.timeout())
                .killGrace(settings.killGrace())
                .build();
    }

    private List<String> template(ClaimedJob job, Path repository, Path outputDir) {
        try {
            return CommandTemplate.parse(settings.command())
                    .render(Map.of(
                            "repo", repository.toString(),
                            "outputDir", outputDir.toString(),
                            "prompt", job.prompt(),
                            "jobId", job.id()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("ANALYZER_COMMAND", e.getMessage());
        }
    }

    /** The names of the environment variables the analyzer receives (never their values). */
    public List<String> childEnvironmentNames() {
        return childEnvironment.keySet().stream().sorted().toList();
    }
}
