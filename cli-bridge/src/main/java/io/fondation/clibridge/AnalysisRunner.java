package io.fondation.clibridge;

import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.claude.StreamJsonParser;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.failure.FailureMessage;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputException;
import io.fondation.clibridge.output.PartialOutput;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.OutputListener;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.process.ProcessStartException;
import io.fondation.clibridge.process.RunningProcess;
import io.fondation.clibridge.progress.ProgressParser;
import io.fondation.clibridge.progress.ProgressTracker;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one analysis: starts the analyzer, turns its output into progress (Fondation CLI lines and
 * Claude Code stream-json), then collects its output files and classifies the result. What the
 * worker calls.
 */
public final class AnalysisRunner {

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);

    /** Detail keys added to every report. */
    public static final String DURATION_MS = "analyzer_duration_ms";

    public static final String EXIT_CODE = "analyzer_exit_code";
    public static final String SIGNAL = "analyzer_signal";
    public static final String DOCUMENTS = "documents_collected";
    public static final String TOOL_USES = "claude_tool_uses";

    private final ProcessRunner runner;
    private final OutputCollector collector;
    private final FailureClassifier classifier;

    public AnalysisRunner(ProcessRunner runner, OutputCollector collector, FailureClassifier classifier) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.collector = Objects.requireNonNull(collector, "collector");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /**
     * Starts the analyzer. Never throws for a missing executable: that is reported by
     * {@link RunningAnalysis#await()} as a CONFIGURATION failure.
     *
     * @param spec what to run
     * @param outputDir where the analyzer writes its files
     * @param listener hears progress and output lines (may be null)
     */
    public RunningAnalysis start(ProcessSpec spec, Path outputDir, AnalysisListener listener) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(outputDir, "outputDir");
        AnalysisListener target = listener == null ? new AnalysisListener() {} : listener;
        ProgressTracker tracker = new ProgressTracker(new ProgressParser());
        StreamJsonParser streamJson = new StreamJsonParser();
        OutputListener lines = (channel, line) -> {
            safely(() -> target.onLine(channel, line));
            Optional<Progress> progress = tracker.offer(line);
            progress.ifPresent(p -> safely(() -> target.onProgress(p)));
            if (channel == OutputChannel.STDOUT && progress.isEmpty()) {
                int before = streamJson.toolUses();
                streamJson.accept(line);
                for (Progress tool : streamJson.toolProgressAfter(before)) {
                    tracker.offer(tool).ifPresent(p -> safely(() -> target.onProgress(p)));
                }
            }
        };
        RunningProcess process;
        try {
            process = runner.start(spec, lines);
        } catch (ProcessStartException e) {
            LOG.warn("analyzer could not start: {}", e.getMessage());
            return new NotStarted(e.getMessage());
        }
        return new Started(process, outputDir, streamJson);
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("analysis listener failed", e);
        }
    }

    private AnalysisReport report(ProcessOutcome outcome, Path outputDir, StreamJsonParser streamJson) {
        PartialOutput output = collector.collectPartial(outputDir);
        Optional<ClaudeRunSummary> claude = streamJson.summary();
        List<String> warnings = new ArrayList<>(output.warnings());
        Optional<JobFailure> failure;
        boolean claudeFailed = claude.map(ClaudeRunSummary::failed).orElse(false);
        // A missing output directory is not a bad file: it means "no documents", which the classifier judges.
        // (A problem with the directory itself stops the collection, so it never comes with bad files.)
        List<OutputException> badFiles =
                output.problems().stream().filter(p -> !p.file().equals(".")).toList();
        if (outcome.succeeded() && !claudeFailed && !badFiles.isEmpty()) {
            failure = Optional.of(outputFailure(badFiles));
        } else {
            failure = classifier.classify(outcome, output.documents().size(), claude);
            for (OutputException problem : output.problems()) {
                warnings.add(problem.getMessage());
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(DURATION_MS, outcome.duration().toMillis());
        details.put(EXIT_CODE, outcome.exitCode());
        if (outcome.signal() != null) {
            details.put(SIGNAL, outcome.signal());
        }
        details.put(DOCUMENTS, output.documents().size());
        streamJson.sessionId().ifPresent(id -> details.put(ClaudeRunSummary.SESSION_ID, id));
        if (streamJson.sawEvents()) {
            details.put(TOOL_USES, streamJson.toolUses());
        }
        claude.ifPresent(summary -> details.putAll(summary.toDetails()));
        return new AnalysisReport(outcome, output.documents(), failure, details, warnings);
    }

    private static JobFailure outputFailure(List<OutputException> problems) {
        StringBuilder summary = new StringBuilder("analyzer output is unusable: ")
                .append(problems.get(0).getMessage());
        if (problems.size() > 1) {
            summary.append(" (and ")
                    .append(problems.size() - 1)
                    .append(" more problem")
                    .append(problems.size() > 2 ? "s" : "")
                    .append(')');
        }
        StringBuilder others = new StringBuilder();
        for (int i = 1; i < problems.size(); i++) {
            others.append(problems.get(i).getMessage()).append('\n');
        }
        return JobFailure.of(
                FailureKind.ANALYZER_FAILED,
                FailureMessage.compose(summary.toString(), "other problems", others.toString()));
    }

    private final class Started implements RunningAnalysis {
        private final RunningProcess process;
        private final Path outputDir;
        private final StreamJsonParser streamJson;
        private AnalysisReport report;

        Started(RunningProcess process, Path outputDir, StreamJsonParser streamJson) {
            this.process = process;
            this.outputDir = outputDir;
            this.streamJson = streamJson;
        }

        @Override
        public void cancel() {
            process.cancel();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public synchronized AnalysisReport await() throws InterruptedException {
            if (report == null) {
                report = report(process.await(), outputDir, streamJson);
            }
            return report;
        }
    }

    private static final class NotStarted implements RunningAnalysis {
        private final AnalysisReport report;

        NotStarted(String message) {
            ProcessOutcome outcome = new ProcessOutcome(127, null, Duration.ZERO, false, false, "", message);
            Map<String, Object> details = Map.of(DURATION_MS, 0L, EXIT_CODE, 127, DOCUMENTS, 0);
            this.report = new AnalysisReport(
                    outcome,
                    List.of(),
                    Optional.of(JobFailure.of(
                            FailureKind.CONFIGURATION,
                            FailureMessage.compose(
                                    "analyzer could not be started: " + message + "; check CLI_PATH and the runtime",
                                    "",
                                    ""))),
                    details,
                    List.of());
        }

        @Override
        public void cancel() {}

        @Override
        public boolean isAlive() {
            return false;
        }

        @Override
        public AnalysisReport await() {
            return report;
        }
    }
}
