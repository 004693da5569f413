package io.fondation.engine.analyzer;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the {@code claude} analyzer (the public Claude Code CLI, {@code ANALYZER=claude}) runs each job.
 *
 * @param executable {@code CLAUDE_PATH}: the {@code claude} binary, a name looked up on {@code PATH} or a path
 * @param model {@code CLAUDE_MODEL}: the pinned model, so runs cost and behave the same
 * @param maxTurns {@code CLAUDE_MAX_TURNS}: the session stops (a job fault) after this many turns; null for no limit
 * @param maxBudgetUsd {@code CLAUDE_MAX_BUDGET_USD}: the session stops (a job fault) past this cost; null for no limit
 * @param apiTimeout {@code CLAUDE_API_TIMEOUT} (ms): how long one API request may take
 * @param maxRetries {@code CLAUDE_MAX_RETRIES}: API retries inside one run (the worker retries the rest, classified)
 * @param configDirectory {@code CLAUDE_CONFIG_DIR}: a logged-in Claude configuration directory (a mounted
 *     {@code ~/.claude}), given to the CLI read-only; null when the credential comes from the environment only
 * @param allowUnconfined {@code CLAUDE_ALLOW_UNCONFINED}: run it even where no sandbox confines its writes
 */
public record ClaudeSettings(
        String executable,
        String model,
        Integer maxTurns,
        BigDecimal maxBudgetUsd,
        Duration apiTimeout,
        int maxRetries,
        Path configDirectory,
        boolean allowUnconfined) {

    /** The binary looked up on {@code PATH} unless {@code CLAUDE_PATH} says otherwise. */
    public static final String DEFAULT_EXECUTABLE = "claude";

    /** The worker's own settings among the {@code CLAUDE_*} variables: never passed on to the analyzer. */
    public static final List<String> WORKER_VARIABLES = List.of(
            "CLAUDE_PATH",
            "CLAUDE_MODEL",
            "CLAUDE_MAX_TURNS",
            "CLAUDE_MAX_BUDGET_USD",
            "CLAUDE_API_TIMEOUT",
            "CLAUDE_MAX_RETRIES",
            "CLAUDE_ALLOW_UNCONFINED",
            "CLAUDE_HOME");

    public ClaudeSettings {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(apiTimeout, "apiTimeout");
        if (maxTurns != null && maxTurns < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1");
        }
        if (maxBudgetUsd != null && maxBudgetUsd.signum() <= 0) {
            throw new IllegalArgumentException("maxBudgetUsd must be positive");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
    }

    public Optional<Path> optionalConfigDirectory() {
        return Optional.ofNullable(configDirectory);
    }
}
