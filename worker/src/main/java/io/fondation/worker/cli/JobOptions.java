package io.fondation.worker.cli;

import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import picocli.CommandLine.Option;

/** What a submitted job asks for besides the repository. */
public final class JobOptions {

    @Option(
            names = {"-b", "--branch"},
            paramLabel = "BRANCH",
            description = "Branch to analyse (default: the repository's default branch).")
    String branch;

    @Option(
            names = {"-p", "--prompt"},
            paramLabel = "TEXT",
            description = "Prompt passed to the analyzer.")
    String prompt;

    @Option(
            names = "--max-attempts",
            paramLabel = "N",
            defaultValue = "" + JobSpec.DEFAULT_MAX_ATTEMPTS,
            description = "Attempts before the job is dead (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    /**
     * The job for {@code source}.
     *
     * @throws UsageException when the branch or the attempts are invalid
     */
    JobSpec spec(CloneSource source) {
        if (maxAttempts < 1) {
            throw new UsageException("--max-attempts must be at least 1, was " + maxAttempts);
        }
        return new JobSpec(source, prompt, maxAttempts, null, null);
    }

    String branch() {
        return branch;
    }
}
