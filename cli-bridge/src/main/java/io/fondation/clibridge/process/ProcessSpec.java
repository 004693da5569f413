package io.fondation.clibridge.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: an argument list (never a shell string), its working directory, its complete
 * environment, and how long it may run.
 *
 * @param command the executable followed by its arguments, each element one argument
 * @param workingDirectory the child's working directory (one per job)
 * @param environment the COMPLETE environment of the child; nothing is inherited from this JVM
 * @param timeout how long the child may run before its whole process tree is terminated
 * @param killGrace how long to wait after SIGTERM before sending SIGKILL
 */
public record ProcessSpec(
        List<String> command,
        Path workingDirectory,
        Map<String, String> environment,
        Duration timeout,
        Duration killGrace) {

    /** The grace period used when none is given. */
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);

    public ProcessSpec {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must name an executable");
        }
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg == null) {
                throw new IllegalArgumentException("command argument " + i + " is null");
            }
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command argument " + i + " contains a NUL character");
            }
        }
        if (command.get(0).isBlank()) {
            throw new IllegalArgumentException("command must name an executable, got a blank first element");
        }
        command = List.copyOf(command);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(environment, "environment");
        environment.forEach((name, value) -> {
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment variable name '" + name + "'");
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(
                        "environment variable " + name + " has a null value or a NUL character");
            }
        });
        environment = Map.copyOf(environment);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        killGrace = killGrace == null ? DEFAULT_KILL_GRACE : killGrace;
        if (killGrace.isNegative()) {
            throw new IllegalArgumentException("killGrace must not be negative, was " + killGrace);
        }
    }

    /** The executable (first element of the command). */
    public String executable() {
        return command.get(0);
    }

    @Override
    public String toString() {
        // why: the environment may hold credentials; never print its values.
        return "ProcessSpec[command=" + command + ", workingDirectory=" + workingDirectory
                + ", environment=" + environment.keySet().stream().sorted().toList()
                + ", timeout=" + timeout + ", killGrace=" + killGrace + "]";
    }
}
