package io.fondation.clibridge;

import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.JobFailure;
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
 */
public record AnalyzerExit(ProcessOutcome outcome, Optional<JobFailure> failure, Map<String, Object> details) {

    public AnalyzerExit {
        Objects.requireNonNull(outcome, "outcome");
        failure = failure == null ? Optional.empty() : failure;
        details = Map.copyOf(details);
    }

    /** Whether the process ended cleanly, so its output is worth reading. */
    public boolean exitedCleanly() {
        return failure.isEmpty();
    }
}
