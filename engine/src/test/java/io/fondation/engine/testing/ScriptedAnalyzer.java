package io.fondation.engine.testing;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.AnalyzerExit;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.engine.analyzer.Analyzer;
import io.fondation.engine.analyzer.ContainmentReport;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
        private volatile boolean canceled;

        private Run(ClaimedJob job, Path outputDir, AnalysisListener listener) {
            this.job = job;
            this.outputDir = outputDir;
            this.listener = listener;
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
        starts.incrementAndGet();
        Script script;
        synchronized (this) {
            script = scripts.isEmpty() ? run -> Ending.completesWithOneChapter() : scripts.poll();
        }
        return new Scripted(new Run(job, outputDir, listener == null ? new AnalysisListener() {} : listener), script);
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
