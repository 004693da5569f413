package io.fondation.worker.runtime;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Document;
import io.fondation.shared.FailureKind;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.worker.git.CloneException;
import io.fondation.worker.git.ClonedRepository;
import io.fondation.worker.git.JobWorkspace;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one job, on a job thread: claimed → cloning → analyzing → gathering → completed,
 * or a classified failure handed to {@link JobQueue#retryOrFail}.
 *
 * <p>It can be told to stop at any time from another thread ({@link #requestStop}): the clone or the
 * analyzer is cancelled at once, and what is written afterwards depends on why:
 * <ul>
 *   <li>lease lost: nothing more is written to the job (another worker may own it);
 *   <li>cancellation requested: nothing is written (the job is already canceled and must stay so);
 *   <li>shutdown: the job is released, without spending an attempt;
 *   <li>no heartbeat before the lease deadline: a release is attempted (it is fenced, so harmless if the
 *       job went to another worker meanwhile).
 * </ul>
 * The workspace is deleted at the end in every case.
 */
final class JobExecution implements Runnable {

    /** Why an execution was told to stop. */
    enum StopReason {
        LEASE_LOST("lease lost"),
        CANCEL_REQUESTED("cancellation requested"),
        SHUTDOWN("worker shutting down"),
        DEADLINE("no heartbeat got through before the lease deadline");

        private final String text;

        StopReason(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }
    }

    /** What a job execution needs from its worker. */
    record Context(
            JobQueue queue,
            JobTools tools,
            java.util.concurrent.ScheduledExecutorService heartbeatScheduler,
            java.time.Clock clock,
            HeartbeatTiming timing,
            Duration leaseTime,
            WorkerMetrics metrics,
            HealthTracker health,
            WorkerListener listener,
            ProgressLanguage language) {}

    /** How often a write to an unreachable queue is tried before the lease is left to expire. */
    private static final int WRITE_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);

    private final ClaimedJob job;
    private final Context context;
    private final JobHeartbeat heartbeat;
    private final Consumer<JobExecution> onDone;
    private final AtomicReference<StopReason> stop = new AtomicReference<>();
    private final Object analysisLock = new Object();
    private RunningAnalysis analysis;
    private volatile Progress lastProgress;
    private volatile boolean finished;
    /** Set once the attempt's outcome was handled (written or deliberately not): nothing is written after it. */
    private boolean concluded;

    /** @param onDone called with this execution when it has ended, whatever the outcome */
    JobExecution(ClaimedJob job, Instant claimedAt, Context context, Consumer<JobExecution> onDone) {
        this.job = Objects.requireNonNull(job, "job");
        this.context = Objects.requireNonNull(context, "context");
        this.onDone = Objects.requireNonNull(onDone, "onDone");
        this.heartbeat = new JobHeartbeat(
                context.queue(),
                context.heartbeatScheduler(),
                context.clock(),
                System::nanoTime,
                context.timing(),
                context.leaseTime(),
                job.lease(),
                claimedAt,
                context.metrics(),
                context.health(),
                new JobHeartbeat.Outcome() {
                    @Override
                    public void leaseLost() {
                        requestStop(StopReason.LEASE_LOST);
                    }

                    @Override
                    public void cancelRequested() {
                        requestStop(StopReason.CANCEL_REQUESTED);
                    }

                    @Override
                    public void deadlinePassed() {
                        requestStop(StopReason.DEADLINE);
                    }
                });
    }

    ClaimedJob job() {
        return job;
    }

    boolean isFinished() {
        return finished;
    }

    /** Tells the job to stop; the first reason wins. Cancels the clone or analyzer at once. */
    void requestStop(StopReason reason) {
        if (!stop.compareAndSet(null, reason)) {
            return;
        }
        LOG.info("job {}: stopping ({})", job.id(), reason.text());
        synchronized (analysisLock) {
            if (analysis != null) {
                analysis.cancel();
            }
        }
    }

    private boolean stopping() {
        return stop.get() != null;
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        context.metrics().jobStarted();
        context.listener().onClaimed(job);
        LOG.info(
                "job {}: claimed ({}), attempt {}/{}",
                job.id(),
                SecretRedactor.redactTokens(job.source().describe()),
                job.attempt(),
                job.maxAttempts());
        JobWorkspace workspace = null;
        try {
            heartbeat.start();
            workspace = context.tools().workspaces().create(job.id());
            process(workspace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop(StopReason.SHUTDOWN);
            finishStopped();
        } catch (Throwable e) {
            // Anything unexpected (a bug, a full disk, a refused write) fails this attempt, never the worker.
            LOG.error("job {}: unexpected error", job.id(), e);
            if (!concluded) {
                try {
                    fail(JobFailure.of(FailureKind.TRANSIENT, "worker error: " + e));
                } catch (RuntimeException again) {
                    LOG.error("job {}: could not record the failure; its lease will expire", job.id(), again);
                }
            }
        } finally {
            heartbeat.stop();
            if (workspace != null && !workspace.delete()) {
                LOG.warn("job {}: workspace {} was not fully deleted", job.id(), workspace.root());
            }
            finished = true;
            context.metrics().jobEnded(Duration.ofNanos(System.nanoTime() - started));
            onDone.accept(this);
        }
    }

    private void process(JobWorkspace workspace) throws InterruptedException {
        enterPhase(JobStatus.CLONING, PhaseText.cloning(context.language()));
        Optional<GitCredentials> credentials;
        try {
            credentials = context.queue().cloneCredentials(job);
        } catch (ConfigurationException e) {
            fail(JobFailure.of(FailureKind.CONFIGURATION, "cannot read the clone credentials: " + e.getMessage()));
            return;
        } catch (JobQueueException e) {
            fail(JobFailure.of(FailureKind.TRANSIENT, "cannot read the clone credentials: " + e.getMessage()));
            return;
        }
        ClonedRepository repository;
        try {
            repository = context.tools()
                    .cloner()
                    .clone(job.source(), workspace.repositoryDir(), this::stopping, credentials);
        } catch (CloneException e) {
            if (stopping()) {
                finishStopped();
            } else {
                LOG.info("job {}: clone failed: {}", job.id(), e.failure().message());
                fail(e.failure());
            }
            return;
        }
        context.metrics().cloned(repository.duration());
        LOG.info(
                "job {}: cloned {} ({}, {}) in {} ms",
                job.id(),
                repository.url(),
                repository.branch(),
                shortId(repository.commit()),
                repository.duration().toMillis());
        if (stopping()) {
            finishStopped();
            return;
        }

        enterPhase(JobStatus.ANALYZING, PhaseText.analyzing(context.language()));
        RunningAnalysis running;
        try {
            synchronized (analysisLock) {
                if (stopping()) {
                    running = null;
                } else {
                    running = context.tools()
                            .analyzer()
                            .start(job, repository.directory(), workspace.outputDir(), new AnalysisListener() {
                                @Override
                                public void onProgress(Progress progress) {
                                    progressed(progress);
                                }
                            });
                    analysis = running;
                }
            }
        } catch (ConfigurationException e) {
            fail(JobFailure.of(FailureKind.CONFIGURATION, "analyzer is misconfigured: " + e.getMessage()));
            return;
        }
        if (running == null) {
            finishStopped();
            return;
        }
        AnalysisReport report = running.await();
        context.metrics().analyzerUsage(report.details());
        if (stopping()) {
            finishStopped();
            return;
        }

        enterPhase(JobStatus.GATHERING, PhaseText.gathering(context.language(), lastProgress));
        report.warnings().forEach(warning -> LOG.info("job {}: analyzer output: {}", job.id(), warning));
        if (report.succeeded()) {
            complete(report);
        } else {
            JobFailure failure = report.failure().orElseThrow();
            LOG.info("job {}: analysis failed ({}): {}", job.id(), failure.kind(), firstLine(failure.message()));
            fail(failure);
        }
    }

    private void complete(AnalysisReport report) {
        List<Document> documents = report.documents();
        if (stopping()) {
            finishStopped();
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>(report.details());
        details.put("documents", documents.size());
        JobResult result = new JobResult(
                "Analysis complete: " + documents.size() + " document" + (documents.size() == 1 ? "" : "s"),
                documents.size(),
                details);
        heartbeat.stop();
        concluded = true;
        CompleteOutcome outcome;
        try {
            outcome = write(
                    "complete",
                    () -> context.queue().complete(heartbeat.lease(), new Completion(result, documents, lastProgress)));
        } catch (JobQueueException e) {
            concluded = false;
            fail(JobFailure.of(FailureKind.ANALYZER_FAILED, "the queue refused the documents: " + e.getMessage()));
            return;
        }
        if (outcome == null) {
            return;
        }
        switch (outcome) {
            case COMPLETED, ALREADY_COMPLETED -> {
                context.metrics().succeeded();
                LOG.info("job {}: completed with {} documents", job.id(), documents.size());
                context.listener().onCompleted(job.id(), result);
            }
            case CANCELED -> {
                context.metrics().canceled();
                LOG.info("job {}: canceled before it could complete", job.id());
                context.listener()
                        .onFailed(
                                job.id(),
                                JobFailure.of(FailureKind.CANCELED, "canceled"),
                                new RetryDecision.GaveUp(JobStatus.CANCELED, job.attempt()));
            }
            case NOT_HELD -> leaseLostAtWrite("complete");
        }
    }

    private void fail(JobFailure unredacted) {
        if (stopping()) {
            finishStopped();
            return;
        }
        // Every failure is stored and reported through here: the one place that keeps secrets out of job rows,
        // whatever produced the message (an exception's text, a refused write, the analyzer's output).
        JobFailure failure = new JobFailure(
                unredacted.kind(), SecretRedactor.redactTokens(unredacted.message()), unredacted.minRetryDelay());
        heartbeat.stop();
        concluded = true;
        RetryDecision decision =
                write("retryOrFail", () -> context.queue().retryOrFail(heartbeat.lease(), failure, lastProgress));
        if (decision == null) {
            return;
        }
        if (decision instanceof RetryDecision.NotHeld) {
            leaseLostAtWrite("retryOrFail");
            return;
        }
        context.metrics().failed();
        if (decision instanceof RetryDecision.Retrying retrying) {
            LOG.info(
                    "job {}: attempt {} failed ({}); retrying at {}",
                    job.id(),
                    retrying.attempts(),
                    failure.kind(),
                    retrying.nextRunAt());
        } else if (decision instanceof RetryDecision.GaveUp gaveUp) {
            LOG.info(
                    "job {}: {} after {} attempts ({})",
                    job.id(),
                    gaveUp.status().wireName(),
                    gaveUp.attempts(),
                    failure.kind());
        }
        context.listener().onFailed(job.id(), failure, decision);
    }

    /** Ends an attempt that was told to stop: writes only what the reason allows. */
    private void finishStopped() {
        StopReason reason = stop.get();
        heartbeat.stop();
        concluded = true;
        switch (reason) {
            case LEASE_LOST -> {
                context.metrics().released();
                context.listener().onReleased(job.id(), reason.text());
            }
            case CANCEL_REQUESTED -> {
                context.metrics().canceled();
                context.listener()
                        .onFailed(
                                job.id(),
                                JobFailure.of(FailureKind.CANCELED, "cancellation requested"),
                                new RetryDecision.GaveUp(JobStatus.CANCELED, job.attempt()));
            }
            case SHUTDOWN, DEADLINE -> {
                Boolean released = write("release", () -> context.queue().release(heartbeat.lease()));
                context.metrics().released();
                LOG.info(
                        "job {}: {} ({})",
                        job.id(),
                        Boolean.TRUE.equals(released) ? "released" : "not released (no longer held)",
                        reason.text());
                context.listener().onReleased(job.id(), reason.text());
            }
        }
    }

    /** Another worker owns the job now (its lease expired and it was claimed again). */
    private void leaseLostAtWrite(String call) {
        concluded = true;
        LOG.warn("job {}: {} refused: the lease is no longer held; stopping without further writes", job.id(), call);
        stop.compareAndSet(null, StopReason.LEASE_LOST);
        context.metrics().released();
        context.listener().onReleased(job.id(), StopReason.LEASE_LOST.text());
    }

    /**
     * A write to the queue, retried while the backend is unreachable.
     *
     * @return the result, or null when the queue stayed unreachable (the lease will expire and the job
     *     be claimed again)
     * @throws JobQueueException when the queue refused the request itself
     */
    private <T> T write(String call, Supplier<T> write) {
        JobQueueException last = null;
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            try {
                return write.get();
            } catch (JobQueueException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                last = e;
                context.health().queueError(call + " failed: " + e.getMessage());
                context.metrics().queueError();
                LOG.warn(
                        "job {}: {} failed (attempt {}/{}): {}",
                        job.id(),
                        call,
                        attempt,
                        WRITE_ATTEMPTS,
                        e.getMessage());
                if (attempt < WRITE_ATTEMPTS) {
                    pause(context.timing().retryDelay().multipliedBy(attempt));
                }
            }
        }
        LOG.error(
                "job {}: {} failed for good; the lease will expire and the job be claimed again: {}",
                job.id(),
                call,
                last == null ? "" : last.getMessage());
        context.listener().onReleased(job.id(), "queue unreachable: " + call + " failed");
        return null;
    }

    private static void pause(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void enterPhase(JobStatus phase, Progress progress) {
        lastProgress = progress.step() > 0 ? progress : lastProgress;
        heartbeat.update(phase, progress);
        context.listener().onPhase(job.id(), phase);
        context.listener().onProgress(job.id(), progress);
    }

    private void progressed(Progress raw) {
        Progress progress = PhaseText.localized(raw, context.language());
        lastProgress = progress;
        heartbeat.update(null, progress);
        context.listener().onProgress(job.id(), progress);
    }

    private static String shortId(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " …";
    }
}
