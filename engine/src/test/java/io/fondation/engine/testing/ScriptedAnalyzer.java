package io.fondation.engine.testing;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.AnalyzerExit;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.resume.OutputFile;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.engine.analyzer.Analyzer;
import io.fondation.engine.analyzer.ContainmentReport;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An analyzer port that starts no process: each run plays the next {@link Script} on the thread that waits for the
 * analyzer's exit (the attempt's), so that a script can advance a test's clock, heartbeat a manual worker, cancel the
 * job in the queue, and see its own run canceled by the worker, all synchronously. A run canceled by the worker ends
 * as a killed process would (a {@code CANCELED} failure); without a script left, a run completes with one chapter.
 */
public final class ScriptedAnalyzer implements Analyzer {

    /** What one scripted run does; it returns how the analyzer ends. */
    @FunctionalInterface
    public interface Script {
        Ending play(Run run) throws Exception;
    }

    /** How a scripted run ends: its documents, or its failure. */
    public record Ending(
            List<Document> documents, Optional<JobFailure> failure, Optional<LlmLimit> limit, BigDecimal costUsd) {

        public Ending(List<Document> documents, Optional<JobFailure> failure) {
            this(documents, failure, Optional.empty(), null);
        }

        /** The analyzer met an LLM rate limit (HTTP 429) with the API's {@code retryAfter}. */
        public static Ending rateLimited(Duration retryAfter) {
            return new Ending(
                    List.of(),
                    Optional.of(
                            new JobFailure(FailureKind.RATE_LIMITED, "the model API answered 429 (test)", retryAfter)),
                    Optional.of(new LlmLimit(LlmLimit.Kind.RATE_LIMIT, Optional.of(retryAfter), "429 (test)")),
                    null);
        }

        /** This ending, the run having cost {@code usd} (as Claude Code's {@code total_cost_usd} says). */
        public Ending costing(String usd) {
            return new Ending(documents, failure, limit, new BigDecimal(usd));
        }

        /** The analyzer wrote {@code documents}. */
        public static Ending completes(List<Document> documents) {
            return new Ending(List.copyOf(documents), Optional.empty());
        }

        /** The analyzer wrote one chapter. */
        public static Ending completesWithOneChapter() {
            return completes(List.of(new Document(
                    "chapter-1", "Chapter 1", 1, DocumentKind.CHAPTER, "# Chapter 1\n\nWritten by a script.\n")));
        }

        /** The analyzer failed with {@code kind}. */
        public static Ending fails(FailureKind kind, String message) {
            return new Ending(List.of(), Optional.of(JobFailure.of(kind, message)));
        }
    }

    /** What a script sees of its run. */
    public static final class Run {
        private final ClaimedJob job;
        private final Path outputDir;
        private final AnalysisListener listener;
        private final ResumePlan plan;
        private volatile boolean canceled;

        private Run(ClaimedJob job, Path outputDir, AnalysisListener listener, ResumePlan plan) {
            this.job = job;
            this.outputDir = outputDir;
            this.listener = listener;
            this.plan = plan;
        }

        /** What the worker told this run to resume from ({@link ResumePlan#fromStart()} for a fresh run). */
        public ResumePlan plan() {
            return plan;
        }

        /**
         * Writes one output file, and reports it complete as the runner's checkpoint watcher would once its step
         * ended (a valid file only).
         */
        public void write(String path, String content) throws IOException {
            Path file = outputDir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            if (OutputFileCheck.withDefaults().check(path, content) instanceof OutputFileCheck.Verdict.Valid valid) {
                listener.onOutputFile(valid.file());
            }
        }

        /** Writes the files of {@code files} that the output directory lacks, as the Fondation CLI's steps 4-6 do. */
        public List<String> writeMissing(Map<String, String> files) throws IOException {
            List<String> written = new ArrayList<>();
            for (Map.Entry<String, String> file : files.entrySet()) {
                int step = OutputFile.stepOf(file.getKey()).orElse(0);
                if (step >= plan.firstStep() && (step <= 3 || !Files.exists(outputDir.resolve(file.getKey())))) {
                    write(file.getKey(), file.getValue());
                    written.add(file.getKey());
                }
            }
            return written;
        }

        /** The course in the output directory, as the runner gathers it. */
        public List<Document> collect() {
            return new OutputCollector(OutputLimits.defaults())
                    .collect(outputDir)
                    .documents();
        }

        /** The job analysed. */
        public ClaimedJob job() {
            return job;
        }

        /** Where the analyzer writes. */
        public Path outputDir() {
            return outputDir;
        }

        /** Reports progress, as the analyzer's output would. */
        public void progress(Progress progress) {
            listener.onProgress(progress);
        }

        /** Whether the worker stopped this run (as it kills a process tree). */
        public boolean canceled() {
            return canceled;
        }
    }

    private final Deque<Script> scripts = new ArrayDeque<>();
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger collects = new AtomicInteger();
    private final List<ResumePlan> plans = new CopyOnWriteArrayList<>();
    private volatile boolean resumable;
    private volatile String model = "";

    /**
     * This analyzer resumes ({@link #checkpointBasis}: kind {@code scripted}, version 1, the model set by
     * {@link #model(String)}, the job's prompt).
     */
    public ScriptedAnalyzer resumable() {
        this.resumable = true;
        return this;
    }

    /** The model its runs use from now on (part of a checkpoint's basis). */
    public ScriptedAnalyzer model(String value) {
        this.model = value;
        return this;
    }

    /** The plan each resumed run was given, in order. */
    public List<ResumePlan> plans() {
        return List.copyOf(plans);
    }

    /** How many courses were collected from a restored output without a run. */
    public int collects() {
        return collects.get();
    }

    @Override
    public Optional<CheckpointBasis> checkpointBasis(ClaimedJob job, String commit) {
        return resumable
                ? Optional.of(
                        new CheckpointBasis(commit, "scripted", "1", model, CheckpointBasis.fingerprint(job.prompt())))
                : Optional.empty();
    }

    @Override
    public RunningAnalysis resume(
            ClaimedJob job,
            Path repository,
            Path outputDir,
            Path stateDir,
            AnalysisListener listener,
            ResumePlan plan) {
        plans.add(plan);
        return play(job, outputDir, listener, plan);
    }

    @Override
    public AnalysisReport collect(Path outputDir) {
        collects.incrementAndGet();
        List<Document> documents =
                new OutputCollector(OutputLimits.defaults()).collect(outputDir).documents();
        return new AnalysisReport(
                new ProcessOutcome(0, null, Duration.ZERO, false, false, "", ""),
                documents,
                Optional.empty(),
                Map.of(),
                List.of());
    }

    private volatile String credential;

    /** Runs as if with the LLM credential of this fingerprint. */
    public ScriptedAnalyzer credential(String fingerprint) {
        this.credential = fingerprint;
        return this;
    }

    @Override
    public Optional<String> credentialFingerprint() {
        return Optional.ofNullable(credential);
    }

    /** Plays {@code script} at the next start not yet scripted. */
    public synchronized ScriptedAnalyzer then(Script script) {
        scripts.add(Objects.requireNonNull(script, "script"));
        return this;
    }

    /** How many runs were started. */
    public int starts() {
        return starts.get();
    }

    @Override
    public RunningAnalysis start(
            ClaimedJob job, Path repository, Path outputDir, Path stateDir, AnalysisListener listener) {
        return play(job, outputDir, listener, ResumePlan.fromStart());
    }

    private RunningAnalysis play(ClaimedJob job, Path outputDir, AnalysisListener listener, ResumePlan plan) {
        starts.incrementAndGet();
        Script script;
        synchronized (this) {
            script = scripts.isEmpty() ? run -> Ending.completesWithOneChapter() : scripts.poll();
        }
        return new Scripted(
                new Run(job, outputDir, listener == null ? new AnalysisListener() {} : listener, plan), script);
    }

    @Override
    public String redact(String text) {
        return text == null ? "" : text;
    }

    @Override
    public ContainmentReport containmentReport() {
        return new ContainmentReport(
                "scripted",
                new ContainmentStatus(ContainmentStatus.Level.NONE, "scripted", "a scripted analyzer runs no process"),
                true);
    }

    /** One run: the script plays when the attempt waits for the exit. */
    private static final class Scripted implements RunningAnalysis {
        private final Run run;
        private final Script script;
        private Ending ending;
        private boolean alive = true;

        Scripted(Run run, Script script) {
            this.run = run;
            this.script = script;
        }

        @Override
        public void cancel() {
            run.canceled = true;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public synchronized AnalyzerExit awaitExit() {
            if (ending == null) {
                try {
                    ending = run.canceled ? null : script.play(run);
                } catch (Exception e) {
                    throw new IllegalStateException("the script failed", e);
                }
                if (run.canceled) {
                    ending = Ending.fails(FailureKind.CANCELED, "the analyzer was stopped");
                }
                alive = false;
            }
            return new AnalyzerExit(
                    outcome(), ending.failure(), Map.of(), ending.limit(), Optional.ofNullable(ending.costUsd()));
        }

        @Override
        public synchronized AnalysisReport gather() {
            if (ending == null) {
                throw new IllegalStateException("the analyzer has not exited yet");
            }
            return new AnalysisReport(
                    outcome(),
                    ending.documents(),
                    ending.failure(),
                    Map.of(),
                    List.of(),
                    ending.limit(),
                    Optional.ofNullable(ending.costUsd()));
        }

        private ProcessOutcome outcome() {
            boolean failed = ending.failure().isPresent();
            return new ProcessOutcome(failed ? 1 : 0, null, Duration.ZERO, false, run.canceled, "", "");
        }
    }
}
