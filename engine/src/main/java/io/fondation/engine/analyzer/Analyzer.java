package io.fondation.engine.analyzer;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.shared.CheckpointBasis;
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
     * What this analyzer's output for {@code job} is made from, on the clone of {@code commit}: the basis of the
     * job's checkpoint. Empty when this analyzer cannot resume (it cannot be told to run only some steps): its
     * attempts then always run from the start and save no checkpoint.
     *
     * @param commit the full id of the commit cloned
     */
    default Optional<CheckpointBasis> checkpointBasis(ClaimedJob job, String commit) {
        return Optional.empty();
    }

    /**
     * Starts the analyzer on an output directory that holds {@code plan}'s files (restored from the job's
     * checkpoint), running only what is left: the Fondation CLI from the plan's first step, the {@code claude} analyzer
     * told which files are final. The listener hears each output file as soon as it is complete and valid
     * ({@link AnalysisListener#onOutputFile}). Called only for an analyzer whose {@link #checkpointBasis} is present,
     * and never with a complete plan.
     *
     * @throws io.fondation.shared.ConfigurationException as {@link #start}
     */
    default RunningAnalysis resume(
            ClaimedJob job,
            Path repository,
            Path outputDir,
            Path stateDir,
            AnalysisListener listener,
            ResumePlan plan) {
        throw new UnsupportedOperationException("this analyzer cannot resume");
    }

    /**
     * The course in an output directory restored from a finished checkpoint, judged as this analyzer's own output
     * would be after a clean exit; no analyzer runs. Called only for an analyzer whose {@link #checkpointBasis} is
     * present.
     */
    default AnalysisReport collect(Path outputDir) {
        throw new UnsupportedOperationException("this analyzer cannot resume");
    }

    /**
     * The fingerprint of the LLM credential this analyzer runs with (never the credential itself), which the worker
     * names in its claims so that the fleet shares one pause per credential (issue 22); empty when the analyzer uses
     * no LLM credential the worker knows (the dry run, a mounted login whose tokens are refreshed).
     */
    default Optional<String> credentialFingerprint() {
        return Optional.empty();
    }
}
