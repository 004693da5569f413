package io.fondation.engine.analyzer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which analyzer runs for each job and how.
 *
 * @param kind the Fondation CLI, Claude Code, the offline dry-run analyzer, or a command template
 * @param cliPath the Fondation CLI entry point ({@code dist/cli.bundled.mjs}), or {@code null} when not configured
 * @param cliRuntime the program that runs the CLI ({@code node}, {@code bun} or a path to one)
 * @param cliProfile the CLI's {@code --profile}
 * @param command the {@code command} analyzer's argument template (placeholders {@code {repo} {outputDir}
 *     {prompt} {jobId}}); empty for the other kinds
 * @param timeout the longest an analysis may run
 * @param killGrace how long the analyzer gets between SIGTERM and SIGKILL
 * @param envExtras names of extra environment variables passed to the analyzer
 * @param claudeHome the {@code HOME} of the analyzer process (where {@code .claude} lives), or {@code null}
 *     to keep the worker's
 * @param progressLanguage {@code fr} or {@code en}: the language of the progress text shown in the UI
 * @param claude how the {@code claude} analyzer runs (read for every kind, used by {@link Kind#CLAUDE})
 * @param sandbox what the analyzer's sandbox shows beyond the job's directories, and whether it may run without one
 */
public record AnalyzerSettings(
        Kind kind,
        Path cliPath,
        String cliRuntime,
        String cliProfile,
        List<String> command,
        Duration timeout,
        Duration killGrace,
        List<String> envExtras,
        Path claudeHome,
        String progressLanguage,
        ClaudeSettings claude,
        SandboxSettings sandbox) {

    /** The analyzers the worker can run. */
    public enum Kind {
        FONDATION("fondation"),
        CLAUDE("claude"),
        DRY_RUN("dry-run"),
        COMMAND("command");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        /** The value of the {@code ANALYZER} variable that selects this analyzer. */
        public String configName() {
            return configName;
        }
    }

    public AnalyzerSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(cliRuntime, "cliRuntime");
        Objects.requireNonNull(cliProfile, "cliProfile");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(killGrace, "killGrace");
        Objects.requireNonNull(progressLanguage, "progressLanguage");
        Objects.requireNonNull(claude, "claude");
        sandbox = sandbox == null ? SandboxSettings.DEFAULT : sandbox;
        command = command == null ? List.of() : List.copyOf(command);
        envExtras = envExtras == null ? List.of() : List.copyOf(envExtras);
        if (kind == Kind.COMMAND && command.isEmpty()) {
            throw new IllegalArgumentException("the command analyzer needs a command");
        }
    }

    /**
     * Whether the operator allowed this analyzer to run where no sandbox works: {@code ANALYZER_ALLOW_UNCONFINED}, or
     * for {@code claude} also its older {@code CLAUDE_ALLOW_UNCONFINED}.
     */
    public boolean allowsUnconfined() {
        return sandbox.allowUnconfined() || kind == Kind.CLAUDE && claude.allowUnconfined();
    }

    public Optional<Path> optionalCliPath() {
        return Optional.ofNullable(cliPath);
    }

    public Optional<Path> optionalClaudeHome() {
        return Optional.ofNullable(claudeHome);
    }
}
