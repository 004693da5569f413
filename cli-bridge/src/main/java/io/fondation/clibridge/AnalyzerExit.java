package io.fondation.clibridge;

import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.JobFailure;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the analyzer process ended, before its output is read ({@link RunningAnalysis#awaitExit()}).
 *
 * @param outcome how the process ended
 * @param failure why the run failed when the process itself failed (exit status, signal, timeout, an error
 *     result of Claude Code); empty when it exited cleanly and only its output can still make it fail
 * @param details facts for the job result and metrics (duration, exit code, Claude session, turns, cost)
 * @param llmLimit the LLM API limit (rate limit, overload) the run failed on, with the API's retry-after when it
 *     gave one; empty when it did not fail on one
 * @param costUsd what the run cost, in US dollars, as the analyzer reported it (Claude Code's
 *     {@code total_cost_usd}); empty when it reported none (the Fondation CLI, a run cut before its result)
 */
public record AnalyzerExit(
        ProcessOutcome outcome,
        Optional<JobFailure> failure,
        Map<String, Object> details,
        Optional<LlmLimit> llmLimit,
        Optional<BigDecimal> costUsd) {

    public AnalyzerExit {
        Objects.requireNonNull(outcome, "outcome");
        failure = failure == null ? Optional.empty() : failure;
        details = Map.copyOf(details);
        llmLimit = llmLimit == null ? Optional.empty() : llmLimit;
        costUsd = costUsd == null ? Optional.empty() : costUsd;
    }

    /** An exit that met no LLM limit and reported no cost. */
    public AnalyzerExit(ProcessOutcome outcome, Optional<JobFailure> failure, Map<String, Object> details) {
        this(outcome, failure, details, Optional.empty(), Optional.empty());
    }

    /** Whether the process ended cleanly, so its output is worth reading. */
    public boolean exitedCleanly() {
        return failure.isEmpty();
    }
}
