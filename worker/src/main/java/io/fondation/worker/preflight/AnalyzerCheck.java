package io.fondation.worker.preflight;

import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import io.fondation.worker.config.AnalyzerSettings;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the configured analyzer can start: the Fondation CLI's file exists and can be read and its runtime
 * runs ({@code node --version}); a command's program exists and is executable. Cheap enough to run before every
 * retry after a worker fault.
 */
public final class AnalyzerCheck implements FitnessCheck {

    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);

    private final AnalyzerSettings settings;
    private final String path;

    /** @param environment the worker's environment, whose {@code PATH} finds programs */
    public AnalyzerCheck(AnalyzerSettings settings, Map<String, String> environment) {
        this.settings = settings;
        this.path = environment.getOrDefault("PATH", "");
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
        return switch (settings.kind()) {
            case FONDATION -> fondationCli();
            case COMMAND -> program("ANALYZER_COMMAND", settings.command().get(0));
            case DRY_RUN -> Optional.empty(); // the running JVM itself
        };
    }

    private Optional<ConfigurationException> fondationCli() {
        Path cli = settings.cliPath();
        if (cli == null) {
            return Optional.of(new ConfigurationException(
                    "CLI_PATH",
                    "not set; ANALYZER=fondation needs the path of the Fondation CLI (dist/cli.bundled.mjs)"));
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
        try {
            if (program.contains("/")) {
                Path given = Path.of(program);
                return Files.exists(given) ? given : null;
            }
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(dir).resolve(program);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (InvalidPathException e) {
            return null;
        }
        return null;
    }

    private static Optional<ConfigurationException> runs(String variable, List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
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
