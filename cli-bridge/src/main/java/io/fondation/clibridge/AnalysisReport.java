package io.fondation.clibridge;

import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.Document;
import io.fondation.shared.JobFailure;
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
 */
public record AnalysisReport(
        ProcessOutcome outcome,
        List<Document> documents,
        Optional<JobFailure> failure,
        Map<String, Object> details,
        List<String> warnings) {

    public AnalysisReport {
        Objects.requireNonNull(outcome, "outcome");
        documents = List.copyOf(documents);
        failure = failure == null ? Optional.empty() : failure;
        details = Map.copyOf(details);
        warnings = List.copyOf(warnings);
    }

    /** Whether the run succeeded (no failure). */
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
