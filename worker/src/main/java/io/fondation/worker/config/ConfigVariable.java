package io.fondation.worker.config;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One environment variable the worker reads.
 *
 * @param name the variable
 * @param defaultText its default, in words ({@code ""} when it has none)
 * @param description what it does, in one line
 * @param secret whether its value is a secret (read from the environment only, never logged)
 * @param commands the commands that read it
 */
public record ConfigVariable(
        String name, String defaultText, String description, boolean secret, Set<Command> commands) {

    /** The commands that read variables. */
    public enum Command {
        /** {@code run}: the production worker. */
        RUN,
        /** {@code dev}: the embedded queue and a worker in one process. */
        DEV,
        /** {@code run-job}: one job from the environment, reported to a webhook. */
        RUN_JOB,
        /** {@code submit}, {@code status}, {@code docs}, {@code cancel}: talk to the queue only. */
        QUEUE_CLIENT
    }

    public ConfigVariable {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultText, "defaultText");
        Objects.requireNonNull(description, "description");
        commands = Set.copyOf(commands);
    }

    static ConfigVariable of(String name, String defaultText, String description, Command... commands) {
        return new ConfigVariable(name, defaultText, description, false, EnumSet.of(commands[0], commands));
    }

    static ConfigVariable secret(String name, String description, Command... commands) {
        return new ConfigVariable(name, "", description, true, EnumSet.of(commands[0], commands));
    }
}
