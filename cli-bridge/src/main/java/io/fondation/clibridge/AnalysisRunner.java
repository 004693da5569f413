package io.fondation.clibridge;

import static java.util.stream.Collectors.joining;

import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.claude.StreamJsonParser;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.failure.FailureMessage;
import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputException;
import io.fondation.clibridge.output.PartialOutput;
import io.fondation.clibridge.output.UsableCourse;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.OutputListener;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.process.ProcessStartException;
import io.fondation.clibridge.process.RunningProcess;
import io.fondation.clibridge.progress.ProgressParser;
import io.fondation.clibridge.progress.ProgressTracker;
import io.fondation.clibridge.resume.CheckpointScanner;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
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
 * Runs one analysis: starts the analyzer, turns its output into progress (Fondation CLI lines,
 * Claude Code stream-json and, when asked, the files appearing in the output directory), then
 * collects its output files and classifies the result. What the worker calls.
 *
 * <p>A run whose agent tried to write outside the output directory (as its stream-json shows) fails
 * with {@link FailureClassifier#writesOutside(List, int)}, even when it otherwise succeeded.
 *
 * <p>A run that failed on an LLM rate limit or overload says so apart ({@link AnalysisReport#llmLimit()}, with the
 * API's retry-after when it can be read), and every run says what it cost when the analyzer reported it
 * ({@link AnalysisReport#costUsd()}: Claude Code's {@code total_cost_usd}).
 */
public final class AnalysisRunner {

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);

    /** Detail keys added to every report. */
    public static final String DURATION_MS = "analyzer_duration_ms";

    public static final String EXIT_CODE = "analyzer_exit_code";
    public static final String SIGNAL = "analyzer_signal";
    public static final String DOCUMENTS = "documents_collected";
    public static final String TOOL_USES = "claude_tool_uses";
    /** How many output files were left out of the course (empty, not valid UTF-8), and which. */
    public static final String FILES_LEFT_OUT = "files_left_out";

    public static final String FILES_LEFT_OUT_NAMES = "files_left_out_names";
    public static final String WRITES_OUTSIDE = "analyzer_writes_outside";

    /** How often {@link #withOutputProgress} runners look at the output directory by default. */
    public static final Duration DEFAULT_OUTPUT_WATCH_INTERVAL = Duration.ofSeconds(1);

    private final ProcessRunner runner;
    private final OutputCollector collector;
    private final FailureClassifier classifier;
    private final Duration outputWatchInterval;
    private final Checkpoints checkpoints;

    /** How a runner made by {@link #withCheckpoints} watches for checkpoint files. */
    private record Checkpoints(Duration interval, Duration settle, Clock clock, OutputFileCheck check) {}

    /** A runner whose progress comes from what the analyzer prints (the Fondation CLI's step lines). */
    public AnalysisRunner(ProcessRunner runner, OutputCollector collector, FailureClassifier classifier) {
        this(runner, collector, classifier, null, null);
    }

    private AnalysisRunner(
            ProcessRunner runner,
            OutputCollector collector,
            FailureClassifier classifier,
            Duration watchInterval,
            Checkpoints checkpoints) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.collector = Objects.requireNonNull(collector, "collector");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        if (watchInterval != null && (watchInterval.isNegative() || watchInterval.isZero())) {
            throw new IllegalArgumentException("output watch interval must be positive, was " + watchInterval);
        }
        this.outputWatchInterval = watchInterval;
        this.checkpoints = checkpoints;
    }

    /**
     * A runner whose step progress also comes from the files appearing in the output directory
     * ({@link io.fondation.clibridge.output.OutputProgress}), for analyzers that print no step lines
     * (Claude Code): it reads {@code N/6} in the web UI's words as the step files, chapters, reviewed
     * chapters and tutorials appear.
     *
     * @param interval how often the output directory is looked at while the analyzer runs
     */
    public AnalysisRunner withOutputProgress(Duration interval) {
        return new AnalysisRunner(
                runner, collector, classifier, Objects.requireNonNull(interval, "interval"), checkpoints);
    }

    /**
     * A runner that also reports, through {@link AnalysisListener#onOutputFile}, each output file as soon as it is
     * complete and valid ({@link CheckpointScanner}): taken once it stopped changing for {@code settle}, or once its
     * step ended (a later step reported or written, or the analyzer stopped), judged by {@link OutputFileCheck}.
     *
     * @param interval how often the output directory is looked at while the analyzer runs
     * @param settle how long a file must stay unchanged to be taken before its step ends
     *     ({@link CheckpointScanner#DEFAULT_SETTLE})
     * @param clock what the settling is measured with
     * @param check how a file is judged (its size limit should be the queue's, so that what is reported can be saved)
     */
    public AnalysisRunner withCheckpoints(Duration interval, Duration settle, Clock clock, OutputFileCheck check) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("checkpoint watch interval must be positive, was " + interval);
        }
        return new AnalysisRunner(
                runner,
                collector,
                classifier,
                outputWatchInterval,
                new Checkpoints(
                        interval,
                        Objects.requireNonNull(settle, "settle"),
                        Objects.requireNonNull(clock, "clock"),
                        Objects.requireNonNull(check, "check")));
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
        return start(spec, outputDir, listener, Map.of());
    }

    /**
     * Starts the analyzer on an output directory that already holds files restored from the job's checkpoint: with
     * {@link #withCheckpoints}, those are not reported again unless the analyzer changes them.
     *
     * @param alreadySaved path to content of the files restored (and so already in the checkpoint)
     */
    public RunningAnalysis start(
            ProcessSpec spec, Path outputDir, AnalysisListener listener, Map<String, String> alreadySaved) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(alreadySaved, "alreadySaved");
        Objects.requireNonNull(outputDir, "outputDir");
        AnalysisListener target = listener == null ? new AnalysisListener() {} : listener;
        ProgressTracker tracker = new ProgressTracker(new ProgressParser());
        StreamJsonParser streamJson = new StreamJsonParser(outputDir.toAbsolutePath());
        // why: the listener's calls must never overlap, and the output watcher runs on its own thread.
        Object serial = new Object();
        OutputListener lines = (channel, line) -> {
            synchronized (serial) {
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
            }
        };
        RunningProcess process;
        try {
            process = runner.start(spec, lines);
        } catch (ProcessStartException e) {
            LOG.warn("analyzer could not start: {}", e.getMessage());
            return new NotStarted(e.getMessage());
        }
        OutputWatcher watcher = outputWatchInterval == null
                ? null
                : OutputWatcher.start(outputDir, outputWatchInterval, process::isAlive, step -> {
                    synchronized (serial) {
                        tracker.offer(step).ifPresent(p -> safely(() -> target.onProgress(p)));
                    }
                });
        CheckpointWatcher checkpointWatcher = checkpoints == null
                ? null
                : CheckpointWatcher.start(
                        new CheckpointScanner(outputDir, checkpoints.check(), checkpoints.settle(), checkpoints.clock())
                                .alreadySaved(alreadySaved),
                        checkpoints.interval(),
                        process::isAlive,
                        () -> tracker.current().map(Progress::step).orElse(0),
                        file -> {
                            synchronized (serial) {
                                safely(() -> target.onOutputFile(file));
                            }
                        });
        return new Started(process, outputDir, streamJson, watcher, checkpointWatcher, spec.timeout());
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("analysis listener failed", e);
        }
    }

    /** The exit, classified without the output (whose documents only matter once the process ended cleanly). */
    private AnalyzerExit exit(ProcessOutcome outcome, StreamJsonParser streamJson, Duration timeLimit) {
        Optional<ClaudeRunSummary> claude = streamJson.summary();
        boolean claudeFailed = claude.map(ClaudeRunSummary::failed).orElse(false);
        List<String> writesOutside = streamJson.writesOutside();
        Optional<JobFailure> failure;
        Optional<LlmLimit> limit = Optional.empty();
        if (!writesOutside.isEmpty() && !outcome.canceled()) {
            // why: whatever else happened, a run that tried to escape its directory must not be used.
            failure = Optional.of(FailureClassifier.writesOutside(writesOutside, streamJson.writesOutsideCount()));
        } else if (outcome.succeeded() && !claudeFailed) {
            failure = Optional.empty();
        } else {
            FailureClassifier.Classification verdict =
                    classifier.classifyRun(outcome, 0, claude, streamJson.lastLimitRetry(), timeLimit);
            failure = verdict.failure();
            limit = verdict.llmLimit();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(DURATION_MS, outcome.duration().toMillis());
        details.put(EXIT_CODE, outcome.exitCode());
        if (outcome.signal() != null) {
            details.put(SIGNAL, outcome.signal());
        }
        streamJson.sessionId().ifPresent(id -> details.put(ClaudeRunSummary.SESSION_ID, id));
        if (streamJson.sawEvents()) {
            details.put(TOOL_USES, streamJson.toolUses());
        }
        if (streamJson.writesOutsideCount() > 0) {
            details.put(WRITES_OUTSIDE, streamJson.writesOutsideCount());
        }
        claude.ifPresent(summary -> details.putAll(summary.toDetails()));
        return new AnalyzerExit(outcome, failure, details, limit, costOf(claude));
    }

    /** What the run cost as the agent reported it in its result (none without a result event). */
    private static Optional<BigDecimal> costOf(Optional<ClaudeRunSummary> claude) {
        return claude.map(summary -> summary.usage().totalCostUsd())
                .filter(cost -> cost != null && Double.isFinite(cost) && cost >= 0)
                .map(BigDecimal::valueOf);
    }

    /**
     * The course in an output directory that no analyzer wrote in this run: the files of a finished checkpoint,
     * restored. Judged as the output of an analyzer that exited cleanly would be (bad files refused or left out, an
     * unusable course a failure).
     *
     * @param outputDir the directory holding the restored files
     */
    public AnalysisReport collect(Path outputDir) {
        Objects.requireNonNull(outputDir, "outputDir");
        ProcessOutcome clean = new ProcessOutcome(0, null, Duration.ZERO, false, false, "", "");
        AnalyzerExit exit = new AnalyzerExit(clean, Optional.empty(), Map.of());
        return gather(exit, outputDir, new StreamJsonParser(outputDir.toAbsolutePath()), null);
    }

    /**
     * The output of a clean exit as documents. Files whose own content is bad (empty, not UTF-8) are left out
     * with a warning, and the run still succeeds when what remains is a {@link UsableCourse}; links, paths
     * outside the directory, oversized files and exceeded limits fail the run, as does an exit without output.
     */
    private AnalysisReport gather(AnalyzerExit exit, Path outputDir, StreamJsonParser streamJson, Duration timeLimit) {
        Map<String, Object> details = new LinkedHashMap<>(exit.details());
        if (!exit.exitedCleanly()) {
            details.put(DOCUMENTS, 0);
            return new AnalysisReport(
                    exit.outcome(), List.of(), exit.failure(), details, List.of(), exit.llmLimit(), exit.costUsd());
        }
        PartialOutput output = collector.collectPartial(outputDir);
        List<String> warnings = new ArrayList<>(output.warnings());
        // A missing output directory is not a bad file: it means "no documents", which the classifier judges.
        List<OutputException> badFiles =
                output.problems().stream().filter(p -> !p.file().equals(".")).toList();
        output.problems().stream().filter(p -> p.file().equals(".")).forEach(p -> warnings.add(p.getMessage()));
        List<OutputException> refused =
                badFiles.stream().filter(p -> !p.isSkippable()).toList();
        List<OutputException> leftOut =
                badFiles.stream().filter(OutputException::isSkippable).toList();
        Optional<JobFailure> failure;
        Optional<LlmLimit> limit = Optional.empty();
        if (!refused.isEmpty()) {
            failure = Optional.of(outputFailure(refused));
        } else {
            FailureClassifier.Classification verdict = classifier.classifyRun(
                    exit.outcome(),
                    output.documents().size(),
                    streamJson.summary(),
                    streamJson.lastLimitRetry(),
                    timeLimit);
            failure = verdict.failure();
            limit = verdict.llmLimit();
            List<String> missing = UsableCourse.missing(output.documents());
            if (failure.isEmpty() && !leftOut.isEmpty() && !missing.isEmpty()) {
                failure = Optional.of(JobFailure.of(
                        FailureKind.ANALYZER_FAILED,
                        "analyzer output is unusable once its bad files are left out: it lacks "
                                + String.join(", ", missing) + "; left out: " + messages(leftOut)));
            }
        }
        leftOut.forEach(problem -> warnings.add("left out: " + problem.getMessage()));
        if (!leftOut.isEmpty()) {
            details.put(FILES_LEFT_OUT, leftOut.size());
            details.put(
                    FILES_LEFT_OUT_NAMES,
                    leftOut.stream().map(OutputException::file).collect(joining(", ")));
        }
        details.put(DOCUMENTS, output.documents().size());
        return new AnalysisReport(
                exit.outcome(), output.documents(), failure, details, warnings, limit, exit.costUsd());
    }

    private static String messages(List<OutputException> problems) {
        return problems.stream().map(OutputException::getMessage).collect(joining("; "));
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
        private final OutputWatcher watcher;
        private final CheckpointWatcher checkpointWatcher;
        private final Duration timeLimit;
        private AnalyzerExit exit;
        private AnalysisReport report;

        Started(
                RunningProcess process,
                Path outputDir,
                StreamJsonParser streamJson,
                OutputWatcher watcher,
                CheckpointWatcher checkpointWatcher,
                Duration timeLimit) {
            this.process = process;
            this.outputDir = outputDir;
            this.streamJson = streamJson;
            this.watcher = watcher;
            this.checkpointWatcher = checkpointWatcher;
            this.timeLimit = timeLimit;
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
        public synchronized AnalyzerExit awaitExit() throws InterruptedException {
            if (exit == null) {
                ProcessOutcome outcome = process.await();
                if (watcher != null) {
                    watcher.finish();
                }
                if (checkpointWatcher != null) {
                    checkpointWatcher.finish();
                }
                exit = exit(outcome, streamJson, timeLimit);
            }
            return exit;
        }

        @Override
        public synchronized AnalysisReport gather() {
            if (exit == null) {
                throw new IllegalStateException("gather() before the analyzer exited; call awaitExit() first");
            }
            if (report == null) {
                report = AnalysisRunner.this.gather(exit, outputDir, streamJson, timeLimit);
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
        public AnalyzerExit awaitExit() {
            return new AnalyzerExit(
                    report.outcome(), report.failure(), report.details(), report.llmLimit(), report.costUsd());
        }

        @Override
        public AnalysisReport gather() {
            return report;
        }
    }
}
