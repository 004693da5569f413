package io.fondation.clibridge;

import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.Document;
import io.fondation.shared.JobFailure;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one analysis run.
 *
 * @param outcome how the analyzer process ended
 * @param documents the documents collected, in reading order; partial ones too when the run failed
 * @param failure why the run failed, empty on success
 * @param details facts for the job result and metrics (Claude session id, turns, cost, tokens,
 *     duration, exit code); values are strings, numbers or booleans
 * @param warnings notes about skipped files and other oddities
 * @param llmLimit the LLM API limit (rate limit, overload) the run failed on, with the API's retry-after when it
 *     gave one; empty when it did not fail on one
 * @param costUsd what the run cost, in US dollars, as the analyzer reported it (Claude Code's
 *     {@code total_cost_usd}); empty when it reported none (the Fondation CLI, a run cut before its result)
 */
public record AnalysisReport(
        ProcessOutcome outcome,
        List<Document> documents,
        Optional<JobFailure> failure,
        Map<String, Object> details,
        List<String> warnings,
        Optional<LlmLimit> llmLimit,
        Optional<BigDecimal> costUsd) {

    public AnalysisReport {
        Objects.requireNonNull(outcome, "outcome");
        documents = List.copyOf(documents);
        failure = failure == null ? Optional.empty() : failure;
        details = Map.copyOf(details);
        warnings = List.copyOf(warnings);
        llmLimit = llmLimit == null ? Optional.empty() : llmLimit;
        costUsd = costUsd == null ? Optional.empty() : costUsd;
    }

    /** A report that met no LLM limit and reported no cost. */
    public AnalysisReport(
            ProcessOutcome outcome,
            List<Document> documents,
            Optional<JobFailure> failure,
            Map<String, Object> details,
            List<String> warnings) {
        this(outcome, documents, failure, details, warnings, Optional.empty(), Optional.empty());
    }

    /** Whether the run succeeded (no failure). */
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
