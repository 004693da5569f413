package io.fondation.worker.cli;

import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import java.math.BigDecimal;
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

    @Option(
            names = "--user",
            paramLabel = "ID",
            description = "Whose turn the job waits for: claims take turns between users (embedded queue; default: the"
                    + " one anonymous user that every job without a user shares).")
    String user;

    @Option(
            names = "--priority",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Higher first among the same user's due jobs, from -1000 to 1000 (default: ${DEFAULT-VALUE}).")
    int priority;

    @Option(
            names = "--max-cost-usd",
            paramLabel = "USD",
            description = "The most the job's attempts may cost together, in US dollars (default: the worker's"
                    + " JOB_MAX_COST_USD).")
    BigDecimal maxCostUsd;

    /**
     * The job for {@code source}.
     *
     * @throws UsageException when the branch, the attempts, the user, the priority or the cost cap are invalid
     */
    JobSpec spec(CloneSource source) {
        if (maxAttempts < 1) {
            throw new UsageException("--max-attempts must be at least 1, was " + maxAttempts);
        }
        JobSpec spec = new JobSpec(source, prompt, maxAttempts, null, null);
        try {
            spec = spec.withUser(user);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--user: " + e.getMessage());
        }
        try {
            spec = spec.withPriority(priority);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--priority: " + e.getMessage());
        }
        try {
            return spec.withMaxCostUsd(maxCostUsd);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--max-cost-usd: " + e.getMessage());
        }
    }

    String branch() {
        return branch;
    }
}
