package io.fondation.engine.analyzer;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.shared.ClaimedJob;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Starts the analysis of a cloned repository: the worker's port to its analyzer process ({@link AnalyzerLauncher},
 * or a test's scripted one).
 */
public interface Analyzer {

    /**
     * Starts the analyzer on a cloned repository.
     *
     * @param stateDir the job's private, writable directory for the analyzer's own state
     * @throws io.fondation.shared.ConfigurationException when the analyzer is not configured or its files are
     *     missing
     */
    RunningAnalysis start(ClaimedJob job, Path repository, Path outputDir, Path stateDir, AnalysisListener listener);

    /**
     * {@code text} without the analyzer's credentials nor anything shaped like a token: what the worker stores and
     * logs of the analyzer.
     */
    String redact(String text);

    /** Which analyzer runs and what holds it, for the start-up log and {@code /health}. */
    ContainmentReport containmentReport();

    /**
     * The fingerprint of the LLM credential this analyzer runs with (never the credential itself), which the worker
     * names in its claims so that the fleet shares one pause per credential (issue 22); empty when the analyzer uses
     * no LLM credential the worker knows (the dry run, a mounted login whose tokens are refreshed).
     */
    default Optional<String> credentialFingerprint() {
        return Optional.empty();
    }
}
