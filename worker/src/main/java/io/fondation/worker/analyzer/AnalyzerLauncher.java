package io.fondation.worker.analyzer;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.claude.ClaudeCodeCommand;
import io.fondation.clibridge.claude.ClaudeCredentials;
import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.clibridge.fondation.CommandTemplate;
import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.Confinement;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.ConfigurationException;
import io.fondation.worker.config.AnalyzerSettings;
import io.fondation.worker.config.ClaudeSettings;
import io.fondation.worker.config.Programs;
import io.fondation.worker.dryrun.DryRunCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts the configured analyzer for a job through the cli-bridge {@link AnalysisRunner}: the Fondation CLI
 * ({@code ANALYZER=fondation}), Claude Code ({@code claude}), a command template ({@code command}) or the offline
 * dry-run analyzer ({@code dry-run}). The child's environment is the allow-listed part of the worker's
 * ({@link EnvironmentPolicy}), so worker secrets never reach it, with {@code HOME=CLAUDE_HOME} when set (for
 * {@code claude}: the job's own state directory) and without the worker's own {@code CLAUDE_*} settings.
 *
 * <p>Every analyzer runs inside the {@link AnalyzerContainment} probed at start-up, so that a worker killed with
 * SIGKILL does not leave it running: {@code claude} in a sandbox that confines its writes to the job's output and
 * state directories and hides the other workspaces, the others in a session of their own that dies with the worker.
 */
public final class AnalyzerLauncher {

    /**
     * The longest stream-json line read whole from Claude Code: a tool call that writes a chapter carries the
     * chapter, and a cut line loses the tool's details (its file path survives, see cli-bridge's {@code CutLine}).
     */
    public static final int CLAUDE_MAX_LINE_BYTES = 4 * 1024 * 1024;

    /** The name of the job's state directory beside its output, when the caller gives none. */
    static final String STATE_DIR = "home";

    private final AnalyzerSettings settings;
    private final Map<String, String> childEnvironment;
    private final String path;
    private final AnalysisRunner runner;
    private final AnalyzerContainment containment;
    private final Path hidden;

    /**
     * @param settings what to run
     * @param sourceEnvironment the worker's environment, filtered for the child
     * @param runner runs and reports the analysis (for {@code claude}, its progress also comes from the output files)
     * @param containment what holds the analyzer
     * @param hidden a directory the {@code claude} analyzer must not see (the worker's workspaces), or null
     * @throws ConfigurationException when ANALYZER_ENV_EXTRAS names something that may not be passed
     */
    public AnalyzerLauncher(
            AnalyzerSettings settings,
            Map<String, String> sourceEnvironment,
            AnalysisRunner runner,
            AnalyzerContainment containment,
            Path hidden) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.containment = Objects.requireNonNull(containment, "containment");
        this.hidden = hidden == null ? null : hidden.toAbsolutePath().normalize();
        EnvironmentPolicy policy;
        try {
            policy = EnvironmentPolicy.defaults().withExtras(settings.envExtras());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("ANALYZER_ENV_EXTRAS", e.getMessage());
        }
        Map<String, String> child = new HashMap<>(policy.filter(sourceEnvironment, settings.claudeHome()));
        // why: CLAUDE_* passes for Claude Code's own variables; the worker's settings of that name are not for it.
        ClaudeSettings.WORKER_VARIABLES.forEach(child::remove);
        this.childEnvironment = Map.copyOf(child);
        this.path = sourceEnvironment.getOrDefault("PATH", "");
        AnalysisRunner base = Objects.requireNonNull(runner, "runner");
        this.runner = settings.kind() == AnalyzerSettings.Kind.CLAUDE
                ? base.withOutputProgress(AnalysisRunner.DEFAULT_OUTPUT_WATCH_INTERVAL)
                : base;
    }

    /** A launcher with the cli-bridge defaults, the containment probed for its kind, and nothing hidden. */
    public static AnalyzerLauncher withDefaults(AnalyzerSettings settings, Map<String, String> sourceEnvironment) {
        return withDefaults(settings, sourceEnvironment, (int) OutputLimits.DEFAULT_MAX_FILE_BYTES, null);
    }

    /**
     * A launcher with the cli-bridge defaults and the containment probed for its kind, refusing output files larger
     * than {@code maxFileBytes} (what the queue stores per document).
     *
     * @param hidden a directory the {@code claude} analyzer must not see (the worker's workspaces), or null
     */
    public static AnalyzerLauncher withDefaults(
            AnalyzerSettings settings, Map<String, String> sourceEnvironment, int maxFileBytes, Path hidden) {
        OutputLimits limits = new OutputLimits(
                OutputLimits.DEFAULT_MAX_FILES,
                Math.min(maxFileBytes, OutputLimits.DEFAULT_MAX_FILE_BYTES),
                OutputLimits.DEFAULT_MAX_TOTAL_BYTES);
        ProcessRunner processes = settings.kind() == AnalyzerSettings.Kind.CLAUDE
                ? new ProcessRunner(
                        ProcessRunner.DEFAULT_TAIL_BYTES,
                        CLAUDE_MAX_LINE_BYTES,
                        ProcessRunner.DEFAULT_SNAPSHOT_INTERVAL)
                : new ProcessRunner();
        return new AnalyzerLauncher(
                settings,
                sourceEnvironment,
                new AnalysisRunner(processes, new OutputCollector(limits), new FailureClassifier()),
                AnalyzerContainment.probed(settings),
                hidden);
    }

    /**
     * Checks what can be checked before any job: the settings name an analyzer at all.
     *
     * @throws ConfigurationException naming the missing setting
     */
    public void requireConfigured() {
        if (settings.kind() == AnalyzerSettings.Kind.FONDATION && settings.cliPath() == null) {
            throw new ConfigurationException("CLI_PATH", AnalyzerContainment.NO_ANALYZER);
        }
    }

    /** What holds the analyzer, for the start-up log, {@code /health} and the start-up check. */
    public AnalyzerContainment containment() {
        return containment;
    }

    /** The analyzer's environment (values included: for the start-up check only; never log it). */
    public Map<String, String> childEnvironment() {
        return childEnvironment;
    }

    /** The credential sources the {@code claude} analyzer finds (names and file paths, never values). */
    public List<String> credentialSources() {
        return ClaudeCredentials.sources(
                childEnvironment, settings.claude().optionalConfigDirectory().orElse(null));
    }

    /**
     * {@code text} without the values of the analyzer's credentials (they may come back in the CLI's or an API
     * gateway's messages) nor anything shaped like a token: what the worker stores and logs of the analyzer.
     */
    public String redact(String text) {
        String out = text == null ? "" : text;
        for (String secret : ClaudeCredentials.secretValues(childEnvironment)) {
            if (secret.length() >= 4) {
                out = out.replace(secret, SecretRedactor.MASK);
            }
        }
        return SecretRedactor.redactTokens(out);
    }

    /**
     * Starts the analyzer on a cloned repository; for {@code claude}, its state directory is {@code home/} beside
     * the output directory.
     *
     * @throws ConfigurationException when the analyzer is not configured or its files are missing;
     *     a missing or non-executable program is reported by the returned analysis as a CONFIGURATION failure
     */
    public RunningAnalysis start(ClaimedJob job, Path repository, Path outputDir, AnalysisListener listener) {
        return start(job, repository, outputDir, outputDir.resolveSibling(STATE_DIR), listener);
    }

    /**
     * Starts the analyzer on a cloned repository.
     *
     * @param stateDir the job's private, writable directory for the analyzer's own state (the {@code claude}
     *     analyzer's {@code HOME}); created when missing
     * @throws ConfigurationException when the analyzer is not configured or its files are missing;
     *     a missing or non-executable program is reported by the returned analysis as a CONFIGURATION failure
     */
    public RunningAnalysis start(
            ClaimedJob job, Path repository, Path outputDir, Path stateDir, AnalysisListener listener) {
        ProcessSpec spec = spec(job, repository, outputDir, stateDir);
        return runner.start(spec, outputDir, listener);
    }

    /** The process to run for a job. */
    ProcessSpec spec(ClaimedJob job, Path repository, Path outputDir, Path stateDir) {
        if (settings.kind() == AnalyzerSettings.Kind.CLAUDE) {
            return claude(job, repository, outputDir, stateDir);
        }
        ProcessSpec spec = switch (settings.kind()) {
            case CLAUDE -> throw new IllegalStateException("claude is started above");
            case FONDATION -> fondation(repository, outputDir);
            case COMMAND ->
                new ProcessSpec(
                        template(job, repository, outputDir),
                        repository,
                        childEnvironment,
                        settings.timeout(),
                        settings.killGrace());
            case DRY_RUN ->
                new ProcessSpec(
                        DryRunCommand.argv(repository, outputDir),
                        repository,
                        childEnvironment,
                        settings.timeout(),
                        settings.killGrace());
        };
        if (!startable(spec.executable())) {
            // why: unwrapped, the runner reports the missing program as a CONFIGURATION failure naming it (a
            // worker fault); wrapped, it would be the supervisor's "not found", a failure of the job.
            return spec;
        }
        // why: these analyzers keep writing where they wrote (their HOME, a command's own files); the containment
        // chosen for them only ties their session to the worker's life and ignores the confinement.
        return containment.containment().wrap(spec, Confinement.writableOnly(outputDir));
    }

    private boolean startable(String executable) {
        Path program = Programs.onPath(executable, childEnvironment.getOrDefault("PATH", path));
        return program != null && !Files.isDirectory(program) && Files.isExecutable(program);
    }

    private ProcessSpec claude(ClaimedJob job, Path repository, Path outputDir, Path stateDir) {
        containment.requireAllowedFor(settings);
        ClaudeSettings claude = settings.claude();
        Path executable = Programs.onPath(claude.executable(), path);
        if (executable == null) {
            throw new ConfigurationException(
                    "CLAUDE_PATH",
                    "'" + claude.executable() + "' is not found (install Claude Code or set CLAUDE_PATH)");
        }
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the analyzer's state directory " + stateDir, e);
        }
        ClaudeCodeCommand.Builder command = ClaudeCodeCommand.builder()
                .executable(executable)
                .repository(repository)
                .outputDir(outputDir)
                .home(stateDir)
                .environment(childEnvironment)
                .prompt(job.prompt())
                .model(claude.model())
                .maxTurns(claude.maxTurns())
                .maxBudgetUsd(claude.maxBudgetUsd())
                .maxRetries(claude.maxRetries())
                .apiTimeout(claude.apiTimeout())
                .timeout(settings.timeout())
                .killGrace(settings.killGrace())
                .containment(containment.containment());
        claude.optionalConfigDirectory().filter(Files::isDirectory).ifPresent(command::configDirectory);
        if (hidden != null && Files.isDirectory(hidden)) {
            command.hide(hidden);
        }
        try {
            return command.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("ANALYZER", "the claude analyzer cannot be started: " + e.getMessage());
        }
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
