package io.fondation.clibridge.fondation;

import io.fondation.clibridge.process.ProcessSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the invocation of the Fondation CLI:
 * {@code <runtime> <cliPath> analyze <repo> --profile <profile> [--output-dir D] [--model M] [--steps a,b]}.
 */
public final class FondationCliCommand {

    /** The steps the CLI knows, in order. */
    public static final List<String> STEPS =
            List.of("extract", "analyze", "order", "generate-chapters", "review-chapters", "generate-tutorials");
    /** The old worker's limit. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    public static final String DEFAULT_PROFILE = "production";

    private FondationCliCommand() {}

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code --steps} of a run that resumes at {@code firstStep}: that step and every later one, by name; empty
     * (every step, no {@code --steps}) for step 1. Steps 1 to 3 run again when listed; steps 4 to 6 skip the files
     * that exist (shared/reference/fondation-system.md §2).
     *
     * @param firstStep 1 to 6 (a {@code ResumePlan}'s first step)
     * @throws IllegalArgumentException outside 1 to 6: a complete plan runs no analyzer at all
     */
    public static List<String> stepsFrom(int firstStep) {
        if (firstStep < 1 || firstStep > STEPS.size()) {
            throw new IllegalArgumentException("a run resumes at step 1 to " + STEPS.size() + ", not " + firstStep);
        }
        return firstStep == 1 ? List.of() : STEPS.subList(firstStep - 1, STEPS.size());
    }

    /** Collects the parts of one invocation; {@link #build()} validates them. */
    public static final class Builder {
        private String runtime;
        private Path cliPath;
        private Path repository;
        private String profile = DEFAULT_PROFILE;
        private Path outputDir;
        private String model;
        private List<String> steps = List.of();
        private boolean overwrite;
        private Path workingDirectory;
        private Map<String, String> environment = Map.of();
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration killGrace = ProcessSpec.DEFAULT_KILL_GRACE;
        private Integer claudeMaxRetries;
        private Duration apiTimeout;

        private Builder() {}

        /** The JavaScript runtime ({@code node} or {@code bun}); null or blank runs the CLI file directly. */
        public Builder runtime(String runtime) {
            this.runtime = runtime;
            return this;
        }

        /** The CLI entry point, e.g. {@code .../dist/cli.bundled.mjs}. Required. */
        public Builder cliPath(Path cliPath) {
            this.cliPath = cliPath;
            return this;
        }

        /** The cloned repository to analyse. Required; also the default working directory. */
        public Builder repository(Path repository) {
            this.repository = repository;
            return this;
        }

        /** The CLI profile; {@code production} by default. */
        public Builder profile(String profile) {
            this.profile = profile;
            return this;
        }

        /** Where the CLI writes its files; also exported as {@code CLAUDE_OUTPUT_DIR}. Optional. */
        public Builder outputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /** The model to use. Optional. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** A subset of {@link #STEPS}; empty for all. */
        public Builder steps(List<String> steps) {
            this.steps = steps == null ? List.of() : List.copyOf(steps);
            return this;
        }

        /** {@link #steps} from {@code firstStep} on ({@link FondationCliCommand#stepsFrom}), to resume a run. */
        public Builder resumeFrom(int firstStep) {
            return steps(stepsFrom(firstStep));
        }

        /** Passes {@code --overwrite}. */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /** The child's working directory; the repository by default. */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = workingDirectory;
            return this;
        }

        /** The child's environment, already filtered by an {@code EnvironmentPolicy}. */
        public Builder environment(Map<String, String> environment) {
            this.environment = environment == null ? Map.of() : environment;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder killGrace(Duration killGrace) {
            this.killGrace = killGrace;
            return this;
        }

        /**
         * Sets {@code CLAUDE_CODE_MAX_RETRIES} unless the environment already does, so a bad
         * credential fails in seconds and the worker does its own, classified retrying.
         */
        public Builder claudeMaxRetries(Integer retries) {
            this.claudeMaxRetries = retries;
            return this;
        }

        /** Sets {@code API_TIMEOUT_MS} unless the environment already does. */
        public Builder apiTimeout(Duration apiTimeout) {
            this.apiTimeout = apiTimeout;
            return this;
        }

        /** @throws IllegalArgumentException naming the first missing or invalid part */
        public ProcessSpec build() {
            if (cliPath == null) {
                throw new IllegalArgumentException("cliPath is required (CLI_PATH)");
            }
            if (repository == null) {
                throw new IllegalArgumentException("repository is required");
            }
            requireNotOption("profile", profile);
            if (profile == null || profile.isBlank()) {
                throw new IllegalArgumentException("profile must not be blank");
            }
            for (String step : steps) {
                if (!STEPS.contains(step)) {
                    throw new IllegalArgumentException("unknown step '" + step + "'; expected one of " + STEPS);
                }
            }
            if (Set.copyOf(steps).size() != steps.size()) {
                throw new IllegalArgumentException("steps contain duplicates: " + steps);
            }
            List<String> command = new ArrayList<>();
            if (runtime != null && !runtime.isBlank()) {
                requireNotOption("runtime", runtime);
                command.add(runtime);
            }
            command.add(cliPath.toString());
            command.add("analyze");
            command.add(absolute(repository).toString());
            command.add("--profile");
            command.add(profile);
            if (outputDir != null) {
                command.add("--output-dir");
                command.add(absolute(outputDir).toString());
            }
            if (model != null && !model.isBlank()) {
                requireNotOption("model", model);
                command.add("--model");
                command.add(model);
            }
            if (!steps.isEmpty()) {
                command.add("--steps");
                command.add(String.join(",", steps));
            }
            if (overwrite) {
                command.add("--overwrite");
            }
            Map<String, String> env = new LinkedHashMap<>(environment);
            if (outputDir != null) {
                env.put("CLAUDE_OUTPUT_DIR", absolute(outputDir).toString());
            }
            if (claudeMaxRetries != null) {
                if (claudeMaxRetries < 0) {
                    throw new IllegalArgumentException("claudeMaxRetries must not be negative");
                }
                env.putIfAbsent("CLAUDE_CODE_MAX_RETRIES", Integer.toString(claudeMaxRetries));
            }
            if (apiTimeout != null) {
                env.putIfAbsent("API_TIMEOUT_MS", Long.toString(apiTimeout.toMillis()));
            }
            Objects.requireNonNull(timeout, "timeout");
            return new ProcessSpec(
                    command, workingDirectory != null ? workingDirectory : repository, env, timeout, killGrace);
        }

        private static Path absolute(Path path) {
            // why: a relative path starting with '-' would be read as an option by the CLI.
            return path.toAbsolutePath().normalize();
        }

        private static void requireNotOption(String what, String value) {
            if (value != null && value.startsWith("-")) {
                throw new IllegalArgumentException(what + " must not start with '-': '" + value + "'");
            }
        }
    }
}
