package io.fondation.worker.cli;

import io.fondation.dryrun.Terminals;
import io.fondation.engine.runtime.StopSignal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What the commands take from the process around them, injectable so tests run the real commands
 * in-process: the environment variables, the clock, the working directory, whether stdout is a
 * terminal, and how a stop request (SIGTERM, Ctrl-C) arrives.
 *
 * @param env environment variables (settings are read from them, flags override)
 * @param clock the time source
 * @param workingDirectory where relative paths given on the command line start
 * @param terminal whether stdout is an interactive terminal (progress bars instead of lines)
 * @param stopSignal how the process is asked to stop
 */
public record CliEnvironment(
        Map<String, String> env, Clock clock, Path workingDirectory, boolean terminal, StopSignal stopSignal) {

    public CliEnvironment {
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(clock, "clock");
        workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory")
                .toAbsolutePath()
                .normalize();
        Objects.requireNonNull(stopSignal, "stopSignal");
    }

    /** The real process: {@link System#getenv()}, the system clock, signals. */
    public static CliEnvironment system() {
        return new CliEnvironment(
                System.getenv(),
                Clock.systemUTC(),
                Path.of(""),
                Terminals.isTerminal() && !"dumb".equals(System.getenv("TERM")),
                new ProcessStopSignal());
    }

    /** Resolves a path given on the command line against the working directory. */
    public Path resolve(Path path) {
        return workingDirectory.resolve(path).normalize();
    }
}
