package io.fondation.clibridge.claude;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.process.Confinement;
import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.resume.ResumePlan;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the invocation of the public Claude Code CLI as an analyzer: one headless session
 * ({@code claude -p --output-format stream-json --verbose}) that writes the Fondation CLI's output
 * layout ({@link OutputContract}) into the output directory, run inside a {@link Containment}.
 *
 * <p>What the session may do: the built-in tools Read, Glob, Grep, Write and Edit only; reads in
 * the repository and the output directory, writes and edits in the output directory, every other
 * call refused without asking ({@code --permission-mode dontAsk} with rules passed by
 * {@code --settings}); {@code --restricted} also confines the file tools to those directories, and
 * {@code --safe-mode}, {@code --setting-sources ""} and {@code --strict-mcp-config} keep the
 * repository's own {@code .claude/} settings, hooks, {@code CLAUDE.md} and MCP servers out. The
 * containment makes the confinement real (the CLI's own rules alone are not enough).
 *
 * <p>Environment: the given one (already filtered by an {@code EnvironmentPolicy}; it carries the
 * credential and may carry {@code ANTHROPIC_BASE_URL}), plus {@code HOME}, {@code CLAUDE_CONFIG_DIR}
 * when a configuration directory is given, few API retries and a bounded API timeout (so a bad
 * credential or an unreachable API fails in seconds and the worker retries, classified), and no
 * auto-update, telemetry, error reporting or other non-essential traffic. Nothing secret is ever
 * put in the arguments.
 */
public final class ClaudeCodeCommand {

    /** The model used unless another is set: pinned, so runs cost and behave the same. */
    public static final String DEFAULT_MODEL = "claude-sonnet-5-5";
    /** The built-in tools the session has. */
    public static final List<String> TOOLS = List.of("Read", "Glob", "Grep", "Write", "Edit");
    /** API retries inside one run: one, for a blip; the worker retries the rest itself. */
    public static final int DEFAULT_MAX_RETRIES = 1;
    /** How long one API request may take before the CLI gives up on it. */
    public static final Duration DEFAULT_API_TIMEOUT = Duration.ofMinutes(5);
    /** How long the whole session may run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    /** Linux refuses a single argument longer than 128 KiB; stay well below. */
    static final int MAX_ARGUMENT_BYTES = 100 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters a permission rule's path would read as a pattern or as its end. */
    private static final Pattern RULE_UNSAFE = Pattern.compile("[*?\\[\\]{}()\\\\\\n\\r\\t]");

    private ClaudeCodeCommand() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the parts of one invocation; {@link #build()} validates them. */
    public static final class Builder {
        private Path executable;
        private Path repository;
        private Path outputDir;
        private Path home;
        private Path configDirectory;
        private final List<Path> hidden = new ArrayList<>();
        private final List<Path> readable = new ArrayList<>();
        private final List<Path> writable = new ArrayList<>();
        private String prompt;
        private ResumePlan resume = ResumePlan.fromStart();
        private String model = DEFAULT_MODEL;
        private Integer maxTurns;
        private BigDecimal maxBudgetUsd;
        private Map<String, String> environment = Map.of();
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration apiTimeout = DEFAULT_API_TIMEOUT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration killGrace = ProcessSpec.DEFAULT_KILL_GRACE;
        private Containment containment;

        private Builder() {}

        /** The {@code claude} executable. Required. */
        public Builder executable(Path executable) {
            this.executable = executable;
            return this;
        }

        /** The cloned repository: the working directory, readable, never writable. Required. */
        public Builder repository(Path repository) {
            this.repository = repository;
            return this;
        }

        /** The only directory the session may write to; it must exist. Required. */
        public Builder outputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /**
         * The CLI's private, writable state directory, given as {@code HOME} (it writes
         * {@code .claude.json} and caches there); it must exist and be the job's own. Required.
         */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /**
         * A Claude configuration directory holding the credential ({@code .credentials.json}), for
         * example a logged-in {@code ~/.claude} mounted read-only: given as {@code CLAUDE_CONFIG_DIR}
         * and readable (never writable) in the sandbox. Optional: without it the credential comes from
         * the environment.
         */
        public Builder configDirectory(Path configDirectory) {
            this.configDirectory = configDirectory;
            return this;
        }

        /**
         * Directories the session must not even see nor write to (for example the one holding other jobs, the
         * worker's own files).
         */
        public Builder hide(Path... directories) {
            hidden.addAll(List.of(directories));
            return this;
        }

        /** More paths the process (not the session's tools, which its permission rules hold) may read. */
        public Builder readable(Path... paths) {
            readable.addAll(List.of(paths));
            return this;
        }

        /** More directories the process (not the session's tools, which its permission rules hold) may write. */
        public Builder writable(Path... directories) {
            writable.addAll(List.of(directories));
            return this;
        }

        /** The job's prompt; blank for {@link OutputContract#DEFAULT_REQUEST}. Never put a secret in it. */
        public Builder prompt(String prompt) {
            this.prompt = prompt;
            return this;
        }

        /**
         * Resumes an earlier run whose files {@code plan} restored into the output directory: the prompt names the
         * files that are final and those still to write ({@link OutputContract#userPrompt(String, Path, Path,
         * ResumePlan)}). A complete plan is refused: nothing is left to run.
         */
        public Builder resume(ResumePlan plan) {
            this.resume = Objects.requireNonNull(plan, "plan");
            return this;
        }

        /** The model: a full model name or an alias; {@link #DEFAULT_MODEL} by default. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** {@code --max-turns}: the session stops (a job fault) after this many turns; null for no limit. */
        public Builder maxTurns(Integer maxTurns) {
            this.maxTurns = maxTurns;
            return this;
        }

        /** {@code --max-budget-usd}: the session stops (a job fault) past this cost; null for no limit. */
        public Builder maxBudgetUsd(BigDecimal maxBudgetUsd) {
            this.maxBudgetUsd = maxBudgetUsd;
            return this;
        }

        /** The child's environment, already filtered by an {@code EnvironmentPolicy}. */
        public Builder environment(Map<String, String> environment) {
            this.environment = environment == null ? Map.of() : environment;
            return this;
        }

        /** {@code CLAUDE_CODE_MAX_RETRIES}: API retries within the run; {@link #DEFAULT_MAX_RETRIES} by default. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** {@code API_TIMEOUT_MS}: how long one API request may take; {@link #DEFAULT_API_TIMEOUT} by default. */
        public Builder apiTimeout(Duration apiTimeout) {
            this.apiTimeout = apiTimeout;
            return this;
        }

        /** How long the whole session may run before its process tree is killed. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder killGrace(Duration killGrace) {
            this.killGrace = killGrace;
            return this;
        }

        /**
         * What holds the session ({@code ContainmentProbe.detect()}). Required; pass
         * {@code Containment.none(why)} to run it unconfined on purpose.
         */
        public Builder containment(Containment containment) {
            this.containment = containment;
            return this;
        }

        /**
         * The process to run: the CLI's invocation wrapped by the containment.
         *
         * @throws IllegalArgumentException naming the first missing or invalid part (never a value of
         *     the environment)
         */
        public ProcessSpec build() {
            require(executable, "executable (the claude binary)");
            require(repository, "repository");
            require(outputDir, "outputDir");
            require(home, "home (the CLI's private state directory)");
            require(containment, "containment (ContainmentProbe.detect(), or Containment.none(why))");
            if (model == null || model.isBlank() || model.startsWith("-")) {
                throw new IllegalArgumentException("model must be a model name, was '" + model + "'");
            }
            if (maxTurns != null && maxTurns < 1) {
                throw new IllegalArgumentException("maxTurns must be at least 1, was " + maxTurns);
            }
            if (maxBudgetUsd != null && maxBudgetUsd.signum() <= 0) {
                throw new IllegalArgumentException("maxBudgetUsd must be positive, was " + maxBudgetUsd);
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
            }
            Objects.requireNonNull(apiTimeout, "apiTimeout");
            Objects.requireNonNull(timeout, "timeout");
            Path repo = ruleSafe(absolute(repository), "repository");
            Path out = ruleSafe(absolute(outputDir), "outputDir");
            Map<String, String> env = environment(absolute(home));
            Path config = env.containsKey("CLAUDE_CONFIG_DIR") ? Path.of(env.get("CLAUDE_CONFIG_DIR")) : null;

            List<String> argv = new ArrayList<>(List.of(
                    absolute(executable).toString(),
                    "-p",
                    "--output-format",
                    "stream-json",
                    "--verbose",
                    "--model",
                    model,
                    "--tools",
                    String.join(",", TOOLS),
                    "--permission-mode",
                    "dontAsk",
                    "--settings",
                    permissions(repo, out),
                    "--add-dir",
                    out.toString(),
                    "--restricted",
                    "--safe-mode",
                    "--setting-sources",
                    "",
                    "--strict-mcp-config",
                    "--no-session-persistence"));
            if (maxTurns != null) {
                argv.addAll(List.of("--max-turns", maxTurns.toString()));
            }
            if (maxBudgetUsd != null) {
                argv.addAll(List.of("--max-budget-usd", maxBudgetUsd.toPlainString()));
            }
            argv.addAll(List.of("--append-system-prompt", OutputContract.systemPrompt(repo, out)));
            // why: after "--" a prompt such as "--dangerously-skip-permissions" stays a prompt.
            argv.add("--");
            argv.add(OutputContract.userPrompt(prompt, repo, out, resume));
            for (String arg : argv) {
                if (arg.getBytes(StandardCharsets.UTF_8).length > MAX_ARGUMENT_BYTES) {
                    throw new IllegalArgumentException("the prompt is too long for a command-line argument (at most "
                            + MAX_ARGUMENT_BYTES / 1024 + " KiB)");
                }
            }

            Confinement confinement = Confinement.writableOnly(out, absolute(home))
                    .withReadOnly(repo)
                    .withReadOnly(readable.toArray(Path[]::new))
                    .withWritable(writable.toArray(Path[]::new))
                    .withHidden(hidden.toArray(Path[]::new));
            if (config != null) {
                confinement = confinement.withReadOnly(config);
            }
            ProcessSpec spec = new ProcessSpec(argv, repo, env, timeout, killGrace);
            return containment.wrap(spec, confinement);
        }

        private Map<String, String> environment(Path home) {
            Map<String, String> env = new TreeMap<>(environment);
            env.put("HOME", home.toString());
            if (configDirectory != null) {
                env.put("CLAUDE_CONFIG_DIR", absolute(configDirectory).toString());
            }
            env.put("CLAUDE_CODE_MAX_RETRIES", Integer.toString(maxRetries));
            env.put("API_TIMEOUT_MS", Long.toString(apiTimeout.toMillis()));
            for (String off : List.of(
                    "DISABLE_AUTOUPDATER",
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
                    "DISABLE_TELEMETRY",
                    "DISABLE_ERROR_REPORTING",
                    "DISABLE_NON_ESSENTIAL_MODEL_CALLS")) {
                env.put(off, "1");
            }
            return env;
        }

        private static String permissions(Path repo, Path out) {
            // "//" starts an absolute path in a permission rule; Glob and Grep follow the Read rules.
            Map<String, Object> rules = Map.of(
                    "permissions",
                    Map.of(
                            "allow",
                            List.of(
                                    "Read(/" + repo + "/**)",
                                    "Read(/" + out + "/**)",
                                    "Write(/" + out + "/**)",
                                    "Edit(/" + out + "/**)"),
                            "defaultMode",
                            "dontAsk"));
            try {
                return JSON.writeValueAsString(rules);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static Path ruleSafe(Path path, String what) {
            if (RULE_UNSAFE.matcher(path.toString()).find()) {
                throw new IllegalArgumentException(what + " '" + path
                        + "' contains characters a permission rule cannot hold (* ? [ ] { } ( ) \\)");
            }
            return path;
        }

        private static Path absolute(Path path) {
            // why: a relative path starting with '-' would be read as an option by the CLI.
            return path.toAbsolutePath().normalize();
        }

        private static void require(Object value, String what) {
            if (value == null) {
                throw new IllegalArgumentException(what + " is required");
            }
        }
    }
}
