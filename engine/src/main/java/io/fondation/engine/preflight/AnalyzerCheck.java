package io.fondation.engine.preflight;

import io.fondation.clibridge.claude.ClaudeCredentials;
import io.fondation.engine.analyzer.AnalyzerContainment;
import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.analyzer.Programs;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the configured analyzer can start: the Fondation CLI's file exists and can be read and its runtime
 * runs ({@code node --version}); Claude Code's binary runs ({@code claude --version}) and a credential is there for
 * it; a command's program exists and is executable; and, whatever the kind, a sandbox holds it (or the operator
 * allowed it to run without one). Cheap enough to run before every retry after a worker fault.
 */
public final class AnalyzerCheck implements FitnessCheck {

    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);

    private final AnalyzerSettings settings;
    private final String path;
    private final AnalyzerLauncher launcher;

    /** @param environment the worker's environment, whose {@code PATH} finds programs */
    public AnalyzerCheck(AnalyzerSettings settings, Map<String, String> environment) {
        this(settings, environment, null);
    }

    /**
     * @param environment the worker's environment, whose {@code PATH} finds programs
     * @param launcher the launcher the worker starts analyzers with (its containment and the analyzer's
     *     environment, where the {@code claude} analyzer's credential is looked for); null to skip those checks
     */
    public AnalyzerCheck(AnalyzerSettings settings, Map<String, String> environment, AnalyzerLauncher launcher) {
        this.settings = settings;
        this.path = environment.getOrDefault("PATH", "");
        this.launcher = launcher;
    }

    @Override
    public String name() {
        return "analyzer";
    }

    @Override
    public FailureKind faultKind() {
        return FailureKind.CONFIGURATION;
    }

    @Override
    public Optional<ConfigurationException> problem() {
        Optional<ConfigurationException> problem = switch (settings.kind()) {
            case FONDATION -> fondationCli();
            case CLAUDE -> claudeCode();
            case COMMAND -> program("ANALYZER_COMMAND", settings.command().get(0));
            case DRY_RUN -> registered(); // a program of the running JVM, when the application brings it
        };
        if (problem.isPresent() || launcher == null) {
            return problem;
        }
        return launcher.containment().problemFor(settings);
    }

    /** The application registered a program for the configured kind (known only with the launcher). */
    private Optional<ConfigurationException> registered() {
        if (launcher == null) {
            return Optional.empty();
        }
        try {
            launcher.requireConfigured();
            return Optional.empty();
        } catch (ConfigurationException e) {
            return Optional.of(e);
        }
    }

    private Optional<ConfigurationException> fondationCli() {
        Path cli = settings.cliPath();
        if (cli == null) {
            return Optional.of(new ConfigurationException("CLI_PATH", AnalyzerContainment.NO_ANALYZER));
        }
        if (!Files.isRegularFile(cli)) {
            return Optional.of(new ConfigurationException("CLI_PATH", "'" + cli + "' does not exist or is not a file"));
        }
        if (!Files.isReadable(cli)) {
            return Optional.of(new ConfigurationException("CLI_PATH", "'" + cli + "' cannot be read by this user"));
        }
        Optional<ConfigurationException> runtime = program("CLI_RUNTIME", settings.cliRuntime());
        if (runtime.isPresent()) {
            return runtime;
        }
        return runs("CLI_RUNTIME", List.of(resolve(settings.cliRuntime()).toString(), "--version"));
    }

    private Optional<ConfigurationException> claudeCode() {
        String program = settings.claude().executable();
        Optional<ConfigurationException> missing = program("CLAUDE_PATH", program);
        if (missing.isPresent()) {
            return missing;
        }
        // why: --version must not touch a real ~/.claude, nor update itself.
        Map<String, String> env = Map.of(
                "PATH", path, "HOME", System.getProperty("java.io.tmpdir"), "DISABLE_AUTOUPDATER", "1", "LANG", "C");
        Optional<ConfigurationException> broken =
                runs("CLAUDE_PATH", List.of(resolve(program).toString(), "--version"), env);
        if (broken.isPresent() || launcher == null) {
            return broken;
        }
        if (launcher.credentialSources().isEmpty()) {
            String config = settings.claude()
                    .optionalConfigDirectory()
                    .map(dir -> dir + " has no " + ClaudeCredentials.CREDENTIALS_FILE)
                    .orElse("no CLAUDE_CONFIG_DIR, and CLAUDE_HOME/.claude does not exist");
            return Optional.of(new ConfigurationException(
                    "CLAUDE_CODE_OAUTH_TOKEN",
                    "the claude analyzer has no credential: set CLAUDE_CODE_OAUTH_TOKEN (from claude setup-token) or"
                            + " ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN for a gateway), or mount a logged-in"
                            + " ~/.claude and point CLAUDE_CONFIG_DIR at it (" + config + ")"));
        }
        return Optional.empty();
    }

    private Optional<ConfigurationException> program(String variable, String program) {
        Path resolved = resolve(program);
        if (resolved == null) {
            return Optional.of(new ConfigurationException(
                    variable, "program '" + program + "' is not found on PATH (" + path + ")"));
        }
        if (!Files.isExecutable(resolved)) {
            return Optional.of(new ConfigurationException(variable, "'" + resolved + "' is not executable"));
        }
        return Optional.empty();
    }

    /** The program as a path: itself when it names one, else the first match on {@code PATH}; null when none. */
    private Path resolve(String program) {
        return Programs.onPath(program, path);
    }

    private static Optional<ConfigurationException> runs(String variable, List<String> command) {
        return runs(variable, command, null);
    }

    /** @param environment the program's whole environment, or null to inherit the worker's */
    private static Optional<ConfigurationException> runs(
            String variable, List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (environment != null) {
                builder.environment().clear();
                builder.environment().putAll(environment);
            }
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(VERSION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return Optional.of(new ConfigurationException(
                        variable,
                        "'" + String.join(" ", command) + "' did not answer within " + VERSION_TIMEOUT.toSeconds()
                                + " s"));
            }
            if (process.exitValue() != 0) {
                return Optional.of(new ConfigurationException(
                        variable, "'" + String.join(" ", command) + "' exited with " + process.exitValue()));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(
                    new ConfigurationException(variable, "'" + command.get(0) + "' cannot be run: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
