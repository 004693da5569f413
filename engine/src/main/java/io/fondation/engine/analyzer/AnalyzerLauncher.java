package io.fondation.engine.analyzer;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
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
import io.fondation.clibridge.resume.CheckpointScanner;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.ConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts the configured analyzer for a job through the cli-bridge {@link AnalysisRunner}: the Fondation CLI
 * ({@code ANALYZER=fondation}), Claude Code ({@code claude}), a command template ({@code command}) or the offline
 * dry-run analyzer ({@code dry-run}). The child's environment is the allow-listed part of the worker's
 * ({@link EnvironmentPolicy}), so worker secrets never reach it, with {@code HOME=CLAUDE_HOME} when set (for
 * {@code claude}: the job's own state directory) and without the worker's own {@code CLAUDE_*} settings.
 *
 * <p>Every analyzer, whatever its kind, runs inside the {@link AnalyzerContainment} probed at start-up: a sandbox in
 * which the whole file system is read-only but for the job's output and state directories (and
 * {@code ANALYZER_WRITABLE_DIRS}), the repository is read-only, the other jobs' workspaces ({@code TEMP_DIR}) and the
 * worker's own files (its {@code HOME}, the embedded queue's directory) are hidden, {@code /tmp} is private, no other
 * process can be seen, and the whole tree dies with the worker. What each kind needs shows through, read-only: the
 * Fondation CLI's runtime, its bundle, {@code NODE_PATH} and its Claude login; a command's program; what a program
 * the application registered reads ({@link AnalyzerProgram#reads()}: the dry-run analyzer's class path). Its
 * {@code HOME} is the job's state directory. The network stays, but for a registered program that needs none. Where no sandbox works, it runs only when the operator allowed it, in a session that
 * dies with the worker.
 */
public final class AnalyzerLauncher implements Analyzer {

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
    private final List<Path> hidden;
    private final Map<AnalyzerSettings.Kind, AnalyzerProgram> programs;

    /**
     * @param settings what to run
     * @param sourceEnvironment the worker's environment, filtered for the child
     * @param runner runs and reports the analysis (for {@code claude}, its progress also comes from the output files)
     * @param containment what holds the analyzer
     * @param hidden directories the analyzer must not see (the worker's workspaces, its {@code HOME}, the embedded
     *     queue's directory); those that do not exist when a job starts are left out
     * @throws ConfigurationException when ANALYZER_ENV_EXTRAS names something that may not be passed
     */
    public AnalyzerLauncher(
            AnalyzerSettings settings,
            Map<String, String> sourceEnvironment,
            AnalysisRunner runner,
            AnalyzerContainment containment,
            List<Path> hidden) {
        this(settings, sourceEnvironment, runner, containment, hidden, Map.of());
    }

    /**
     * @param programs the analyzer kinds that are programs the application brings (the dry-run analyzer)
     * @throws ConfigurationException when ANALYZER_ENV_EXTRAS names something that may not be passed
     */
    public AnalyzerLauncher(
            AnalyzerSettings settings,
            Map<String, String> sourceEnvironment,
            AnalysisRunner runner,
            AnalyzerContainment containment,
            List<Path> hidden,
            Map<AnalyzerSettings.Kind, AnalyzerProgram> programs) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.programs = Map.copyOf(programs);
        this.containment = Objects.requireNonNull(containment, "containment");
        this.hidden = (hidden == null ? List.<Path>of() : hidden)
                .stream()
                        .map(dir -> dir.toAbsolutePath().normalize())
                        .filter(dir -> dir.getNameCount() > 0)
                        .distinct()
                        .toList();
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
        base = settings.kind() == AnalyzerSettings.Kind.CLAUDE
                ? base.withOutputProgress(AnalysisRunner.DEFAULT_OUTPUT_WATCH_INTERVAL)
                : base;
        // why: every kind that can resume reports its output files as they complete, for the job's checkpoint
        this.runner = settings.kind() == AnalyzerSettings.Kind.COMMAND
                ? base
                : base.withCheckpoints(
                        AnalysisRunner.DEFAULT_OUTPUT_WATCH_INTERVAL,
                        CheckpointScanner.DEFAULT_SETTLE,
                        Clock.systemUTC(),
                        OutputFileCheck.withDefaults());
    }

    /** A launcher with the cli-bridge defaults, the containment probed here, nothing hidden and no program kind. */
    public static AnalyzerLauncher withDefaults(AnalyzerSettings settings, Map<String, String> sourceEnvironment) {
        return withDefaults(
                settings, sourceEnvironment, (int) OutputLimits.DEFAULT_MAX_FILE_BYTES, List.of(), Map.of());
    }

    /**
     * A launcher with the cli-bridge defaults and the containment probed here, refusing output files larger than
     * {@code maxFileBytes} (what the queue stores per document).
     *
     * @param hidden directories the analyzer must not see (the worker's workspaces, its {@code HOME}, the embedded
     *     queue's directory)
     * @param programs the analyzer kinds that are programs the application brings (the dry-run analyzer)
     */
    public static AnalyzerLauncher withDefaults(
            AnalyzerSettings settings,
            Map<String, String> sourceEnvironment,
            int maxFileBytes,
            List<Path> hidden,
            Map<AnalyzerSettings.Kind, AnalyzerProgram> programs) {
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
                AnalyzerContainment.probed(),
                hidden,
                programs);
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
        if (settings.kind() == AnalyzerSettings.Kind.DRY_RUN && !programs.containsKey(settings.kind())) {
            throw new ConfigurationException(
                    "ANALYZER", "'" + settings.kind().configName() + "' is not an analyzer this application brings");
        }
    }

    /** What holds the analyzer, for the start-up log, {@code /health} and the start-up check. */
    public AnalyzerContainment containment() {
        return containment;
    }

    /** Which analyzer runs and what holds it, for {@code /health}. */
    @Override
    public ContainmentReport containmentReport() {
        return new ContainmentReport(settings.kind().configName(), containment.status(), settings.allowsUnconfined());
    }

    /** The analyzer's environment (values included: for the start-up check only; never log it). */
    public Map<String, String> childEnvironment() {
        return childEnvironment;
    }

    /**
     * {@inheritDoc} The Claude Code and Fondation CLI analyzers: the fingerprint of the Anthropic credential variables
     * they are given ({@link ClaudeCredentials#fingerprint}); none for the others.
     */
    @Override
    public Optional<String> credentialFingerprint() {
        return switch (settings.kind()) {
            case CLAUDE, FONDATION -> ClaudeCredentials.fingerprint(childEnvironment);
            case DRY_RUN, COMMAND -> Optional.empty();
        };
    }

    /**
     * The cap of one attempt: what is left of the job's budget ({@link ClaimTerms#budgetUsd()}), and no more than
     * {@code CLAUDE_MAX_BUDGET_USD}; {@code null} when neither says.
     */
    static BigDecimal attemptBudget(ClaimedJob job, BigDecimal perRun) {
        BigDecimal left = job.claimTerms().map(ClaimTerms::budgetUsd).orElse(null);
        if (left == null || left.signum() <= 0) {
            return perRun;
        }
        return perRun == null || left.compareTo(perRun) < 0 ? left.stripTrailingZeros() : perRun;
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
    @Override
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
     * Starts the analyzer on a cloned repository; its state directory is {@code home/} beside the output directory.
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
     * @param stateDir the job's private, writable directory for the analyzer's own state (a sandboxed analyzer's
     *     {@code HOME}); created when missing
     * @throws ConfigurationException when the analyzer is not configured or its files are missing;
     *     a missing or non-executable program is reported by the returned analysis as a CONFIGURATION failure
     */
    @Override
    public RunningAnalysis start(
            ClaimedJob job, Path repository, Path outputDir, Path stateDir, AnalysisListener listener) {
        ProcessSpec spec = spec(job, repository, outputDir, stateDir);
        return runner.start(spec, outputDir, listener);
    }

    /**
     * What a checkpoint of this analyzer's output depends on: the commit; the kind ({@code fondation-cli},
     * {@code claude}, {@code dry-run}); its version (the SHA-256 of the CLI's bundle or of the {@code claude}
     * executable, the dry-run program's own); the model ({@code CLAUDE_MODEL}, or the Fondation CLI's
     * {@code CLI_PROFILE}, which chooses its models); the job's prompt. Empty for a {@code command}, which cannot be
     * told to run only some steps.
     */
    @Override
    public Optional<CheckpointBasis> checkpointBasis(ClaimedJob job, String commit) {
        String prompt = CheckpointBasis.fingerprint(job.prompt() == null ? "" : job.prompt());
        return switch (settings.kind()) {
            case COMMAND -> Optional.empty();
            case FONDATION ->
                settings.cliPath() == null
                        ? Optional.empty()
                        : Versions.of(settings.cliPath())
                                .map(version -> new CheckpointBasis(
                                        commit, "fondation-cli", version, settings.cliProfile(), prompt));
            case CLAUDE ->
                Optional.ofNullable(Programs.onPath(settings.claude().executable(), path))
                        .flatMap(Versions::of)
                        .map(version -> new CheckpointBasis(
                                commit, "claude", version, settings.claude().model(), prompt));
            case DRY_RUN ->
                Optional.ofNullable(programs.get(settings.kind()))
                        .flatMap(AnalyzerProgram::version)
                        .map(version -> new CheckpointBasis(commit, "dry-run", version, "", prompt));
        };
    }

    /** Starts the analyzer on an output directory holding {@code plan}'s files, running only what is left. */
    @Override
    public RunningAnalysis resume(
            ClaimedJob job,
            Path repository,
            Path outputDir,
            Path stateDir,
            AnalysisListener listener,
            ResumePlan plan) {
        ProcessSpec spec = spec(job, repository, outputDir, stateDir, plan);
        return runner.start(spec, outputDir, listener, plan.contents());
    }

    /** The course in a restored output directory, judged as a clean exit's output. */
    @Override
    public AnalysisReport collect(Path outputDir) {
        return runner.collect(outputDir);
    }

    /**
     * The process a job runs: the analyzer's command, wrapped in its sandbox.
     *
     * @throws ConfigurationException when the analyzer is not configured or its files are missing
     */
    public ProcessSpec spec(ClaimedJob job, Path repository, Path outputDir, Path stateDir) {
        return spec(job, repository, outputDir, stateDir, ResumePlan.fromStart());
    }

    /**
     * The process that resumes a job from {@code plan}: the Fondation CLI with {@code --steps} from the plan's first
     * step, {@code claude} told which files are final, the dry-run program with {@code --steps}.
     *
     * @throws ConfigurationException when the analyzer is not configured or its files are missing
     */
    public ProcessSpec spec(ClaimedJob job, Path repository, Path outputDir, Path stateDir, ResumePlan plan) {
        Objects.requireNonNull(plan, "plan");
        if (plan.isComplete()) {
            throw new IllegalArgumentException("a complete plan runs no analyzer");
        }
        if (plan.resumes() && settings.kind() == AnalyzerSettings.Kind.COMMAND) {
            throw new IllegalArgumentException("a command analyzer cannot resume");
        }
        containment.requireAllowedFor(settings);
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the analyzer's state directory " + stateDir, e);
        }
        if (settings.kind() == AnalyzerSettings.Kind.CLAUDE) {
            return claude(job, repository, outputDir, stateDir, plan);
        }
        boolean sandboxed = containment.sandboxed();
        Map<String, String> environment = sandboxed ? sandboxEnvironment(stateDir) : childEnvironment;
        List<Path> shown = new ArrayList<>();
        ProcessSpec spec = switch (settings.kind()) {
            case CLAUDE -> throw new IllegalStateException("claude is started above");
            case FONDATION -> fondation(repository, outputDir, environment, shown, plan);
            case COMMAND -> {
                login().ifPresent(shown::add);
                yield new ProcessSpec(
                        template(job, repository, outputDir),
                        repository,
                        environment,
                        settings.timeout(),
                        settings.killGrace());
            }
            case DRY_RUN -> {
                AnalyzerProgram registered = program();
                shown.addAll(underHidden(registered.reads()));
                yield new ProcessSpec(
                        plan.resumes()
                                ? registered.argv(repository, outputDir, plan.firstStep())
                                : registered.argv(repository, outputDir),
                        repository,
                        environment,
                        settings.timeout(),
                        settings.killGrace());
            }
        };
        Path program = Programs.onPath(spec.executable(), environment.getOrDefault("PATH", path));
        if (program == null || Files.isDirectory(program) || !Files.isExecutable(program)) {
            // why: unwrapped, the runner reports the missing program as a CONFIGURATION failure naming it (a
            // worker fault); wrapped, it would be the supervisor's "not found", a failure of the job.
            return spec;
        }
        if (!sandboxed) {
            // why: allowed to run unconfined; the containment only ties its session to the worker's life.
            return containment.containment().wrap(spec, Confinement.writableOnly(outputDir));
        }
        // why: the sandbox shows a program by its absolute path (a runtime on PATH in the hidden HOME, say)
        List<String> command = new ArrayList<>(spec.command());
        command.set(0, program.toAbsolutePath().toString());
        spec = new ProcessSpec(command, spec.workingDirectory(), spec.environment(), spec.timeout(), spec.killGrace());
        return containment.containment().wrap(spec, confinement(repository, outputDir, stateDir, shown));
    }

    /** What a sandboxed analyzer may touch; {@code shown} are what its kind needs to read. */
    private Confinement confinement(Path repository, Path outputDir, Path stateDir, List<Path> shown) {
        Confinement confinement = Confinement.writableOnly(outputDir, stateDir)
                .withReadOnly(repository)
                .withReadOnly(shown.toArray(Path[]::new))
                .withReadOnly(settings.sandbox().readable().toArray(Path[]::new))
                .withWritable(settings.sandbox().writable().toArray(Path[]::new))
                .withHidden(hidden.toArray(Path[]::new));
        // why: the dry-run analyzer reads files and writes files; a repository steering it has nowhere to send them
        AnalyzerProgram registered = programs.get(settings.kind());
        return registered != null && !registered.needsNetwork() ? confinement.withoutNetwork() : confinement;
    }

    /**
     * The environment of a sandboxed analyzer: {@code HOME} is the job's state directory (the worker's is hidden and
     * read-only), and a Claude login ({@code CLAUDE_CONFIG_DIR}, or {@code .claude} in {@code CLAUDE_HOME} or the
     * worker's {@code HOME}) is named by {@code CLAUDE_CONFIG_DIR}, which the sandbox shows read-only.
     */
    private Map<String, String> sandboxEnvironment(Path stateDir) {
        Map<String, String> env = new HashMap<>(childEnvironment);
        env.put("HOME", stateDir.toAbsolutePath().normalize().toString());
        if (!programs.containsKey(settings.kind())) {
            login().ifPresent(dir -> env.putIfAbsent("CLAUDE_CONFIG_DIR", dir.toString()));
        }
        return Map.copyOf(env);
    }

    /** The program registered for the configured kind. */
    private AnalyzerProgram program() {
        requireConfigured();
        return programs.get(settings.kind());
    }

    /** The Claude login directory the analyzer may read, when there is one. */
    private java.util.Optional<Path> login() {
        return settings.claude().optionalConfigDirectory().filter(Files::isDirectory);
    }

    /** The paths among {@code paths} that a hidden directory or the private {@code /tmp} covers. */
    private List<Path> underHidden(List<Path> paths) {
        List<Path> covered = new ArrayList<>(hidden);
        covered.add(Confinement.TMP);
        return paths.stream()
                .map(p -> p.toAbsolutePath().normalize())
                .filter(p -> covered.stream().anyMatch(p::startsWith))
                .distinct()
                .toList();
    }

    /**
     * The first of {@code candidates} that shows something: one that is a hidden directory or {@code /tmp} itself
     * would stay empty (a CLI bundle in the worker's {@code HOME}, say), so the next, narrower one is taken.
     */
    private Path showable(Path... candidates) {
        for (Path candidate : candidates) {
            Path normal = candidate.toAbsolutePath().normalize();
            if (!hidden.contains(normal) && !normal.equals(Confinement.TMP)) {
                return normal;
            }
        }
        return candidates[candidates.length - 1];
    }

    private ProcessSpec claude(ClaimedJob job, Path repository, Path outputDir, Path stateDir, ResumePlan plan) {
        ClaudeSettings claude = settings.claude();
        Path executable = Programs.onPath(claude.executable(), path);
        if (executable == null) {
            throw new ConfigurationException(
                    "CLAUDE_PATH",
                    "'" + claude.executable() + "' is not found (install Claude Code or set CLAUDE_PATH)");
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
                .maxBudgetUsd(attemptBudget(job, claude.maxBudgetUsd()))
                .maxRetries(claude.maxRetries())
                .apiTimeout(claude.apiTimeout())
                .timeout(settings.timeout())
                .killGrace(settings.killGrace())
                .containment(containment.containment());
        if (plan.resumes()) {
            command.resume(plan);
        }
        claude.optionalConfigDirectory().filter(Files::isDirectory).ifPresent(command::configDirectory);
        command.hide(hidden.toArray(Path[]::new))
                .readable(settings.sandbox().readable().toArray(Path[]::new))
                .writable(settings.sandbox().writable().toArray(Path[]::new));
        try {
            return command.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("ANALYZER", "the claude analyzer cannot be started: " + e.getMessage());
        }
    }

    /**
     * The Fondation CLI's invocation; adds to {@code shown} what it reads besides the repository: its bundle (the
     * package holding {@code dist/}), the directories of {@code NODE_PATH} and the Claude login.
     */
    private ProcessSpec fondation(
            Path repository, Path outputDir, Map<String, String> environment, List<Path> shown, ResumePlan plan) {
        requireConfigured();
        Path cli = settings.cliPath().toAbsolutePath().normalize();
        if (!Files.isRegularFile(cli)) {
            throw new ConfigurationException("CLI_PATH", "'" + cli + "' does not exist or is not a file");
        }
        Path dir = cli.getParent();
        boolean dist =
                dir.getFileName() != null && dir.getFileName().toString().equals("dist") && dir.getNameCount() > 1;
        shown.add(dist ? showable(dir.getParent(), dir, cli) : showable(dir, cli));
        for (String entry : environment.getOrDefault("NODE_PATH", "").split(java.io.File.pathSeparator)) {
            if (!entry.isBlank() && Path.of(entry).isAbsolute() && Files.isDirectory(Path.of(entry))) {
                shown.add(Path.of(entry));
            }
        }
        login().ifPresent(shown::add);
        FondationCliCommand.Builder command = FondationCliCommand.builder();
        if (plan.resumes()) {
            command.resumeFrom(plan.firstStep());
        }
        return command.runtime(settings.cliRuntime())
                .cliPath(cli)
                .repository(repository)
                .profile(settings.cliProfile())
                .outputDir(outputDir)
                .workingDirectory(repository)
                .environment(environment)
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
