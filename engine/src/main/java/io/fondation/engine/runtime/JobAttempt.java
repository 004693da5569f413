package io.fondation.engine.runtime;

import io.fondation.clibridge.AnalysisListener;
import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.AnalyzerExit;
import io.fondation.clibridge.RunningAnalysis;
import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.clibridge.process.DaemonThreads;
import io.fondation.clibridge.resume.OutputFile;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.engine.git.CloneException;
import io.fondation.engine.git.ClonedRepository;
import io.fondation.engine.git.JobWorkspace;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Document;
import io.fondation.shared.FailureKind;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RateLimitedRelease;
import io.fondation.shared.RetryDecision;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one job, on a job thread, as named steps: {@link #prepareWorkspace} → {@link #cloneRepository}
 * → {@link #analyze} → {@link #gather} → {@link #complete}. A step either hands its result to the next one or
 * ends the attempt ({@link Ending}); {@link #conclude} then makes the one final write the ending calls for and
 * turns it into an {@link AttemptOutcome}:
 * <ul>
 *   <li>a job fault: {@code retryOrFail} (retry scheduled, failed or dead, as the queue decides);
 *   <li>a worker fault ({@link FailureKind#isWorkerFault()}): {@code release}, no attempt spent;
 *   <li>a stop ({@link AttemptStop}, from any thread): lease lost → nothing written; canceled → {@code release},
 *       which on a canceled job only gives its lock back; shutdown or lease deadline → {@code release}.
 * </ul>
 * Only {@link #complete} writes documents, and only with the completion itself: the queue stores them first and
 * then marks the job completed (in one transaction where it can), so no crash leaves a completed job without its
 * course ({@link JobQueue#complete}). The workspace is deleted at the end in every case.
 *
 * <p>Fleet rules (issue 22): what the analyzer reports the attempt cost travels with the ending write; an analyzer
 * that met an LLM rate limit or overload ({@link LlmLimit}) ends through {@link JobQueue#releaseRateLimited} when the
 * queue keeps pauses (no attempt spent, the credential paused for the fleet), else through {@code retryOrFail} no
 * earlier than the API's retry-after; an analysis that got its answers, when its claim was the probe of the
 * credential's pause ({@link ClaimTerms#probe()}), clears that pause (no read: the claim said so).
 */
final class JobAttempt implements Runnable {

    /**
     * What an attempt needs from its worker.
     *
     * @param settings the worker's id, lease time, analyzer stop time and progress language
     * @param queue the queue the job came from
     * @param tools the ports it works through: workspaces, cloner, analyzer
     * @param heartbeats what its heartbeats share with the worker's others (scheduler, pacing, clocks)
     * @param faults the worker's faults, told how the attempt ended
     * @param events the worker's event channel
     * @param checkpointSaves where an attempt's output files are saved into its job's checkpoint while the analyzer
     *     runs (the caller's thread in a manual worker)
     * @param pause waits between tries at keeping a finished output (no wait in a manual worker)
     */
    record Context(
            WorkerSettings settings,
            JobQueue queue,
            JobTools tools,
            Heartbeats heartbeats,
            WorkerFaults faults,
            EventSink events,
            Executor checkpointSaves,
            AttemptCheckpoint.Pause pause) {

        Clock clock() {
            return heartbeats.clock();
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(JobAttempt.class);

    private final ClaimedJob job;
    private final Context context;
    private final Consumer<JobAttempt> onDone;
    private final AttemptStop stop = new AttemptStop();
    private final JobHeartbeat heartbeat;
    private final AttemptProgress progress;
    private final QueueWriter writer;
    private volatile boolean ended;
    private AttemptCheckpoint checkpoint;
    private AttemptCheckpoint.Decision resumed;
    private JobWorkspace workspace;
    /** The analyzer's output is complete and gathered: kept as the checkpoint if the completion cannot be written. */
    private boolean outputComplete;
    /** What the analyzer reported the attempt cost, or {@code null}. */
    private volatile BigDecimal attemptCost;
    /** The LLM limit the analyzer met, or {@code null}. */
    private volatile LlmLimit llmLimit;

    /** @param onDone called with this attempt when it has ended, whatever the outcome */
    JobAttempt(ClaimedJob job, Instant claimedAt, Context context, Consumer<JobAttempt> onDone) {
        this.job = Objects.requireNonNull(job, "job");
        this.context = Objects.requireNonNull(context, "context");
        this.onDone = Objects.requireNonNull(onDone, "onDone");
        LeaseDeadline deadline = new LeaseDeadline(
                claimedAt, context.settings().leaseTime(), context.settings().analyzerStopTime());
        this.heartbeat =
                new JobHeartbeat(context.heartbeats(), context.queue(), job.lease(), deadline, this::requestStop);
        this.progress = new AttemptProgress(
                job, heartbeat, context.events(), context.settings().progressLanguage());
        this.writer = QueueWriter.forLease(
                job.id(), context.heartbeats().timing().retryDelay(), deadline, context.clock(), context.events());
    }

    ClaimedJob job() {
        return job;
    }

    boolean hasEnded() {
        return ended;
    }

    /** The heartbeats of this attempt (the manual driver sends them on demand). */
    JobHeartbeat heartbeat() {
        return heartbeat;
    }

    /** Tells the attempt to stop; the first reason wins. The clone or analyzer running now is stopped at once. */
    @SuppressWarnings("try") // the log context is used by its effect on the thread's MDC, not by reference
    void requestStop(StopReason reason) {
        // why: asked from any thread (a cancel watcher, the worker's shutdown): the line is the job's all the same
        try (LogContext log = LogContext.of(context.settings().workerId(), job)) {
            if (stop.request(reason)) {
                LOG.info("job {}: stopping ({})", job.id(), reason.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    @Override
    @SuppressWarnings("try") // the log context is used by its effect on the thread's MDC, not by reference
    public void run() {
        long started = System.nanoTime();
        try (LogContext log = LogContext.of(context.settings().workerId(), job)) {
            context.events()
                    .publish(new WorkerEvent.JobClaimed(job, context.clock().instant()));
            AttemptOutcome outcome;
            QueueWatch cancellation = QueueWatch.NONE;
            try {
                heartbeat.start();
                cancellation = watchCancellation();
                workspace = prepareWorkspace();
                checkpoint = AttemptCheckpoint.open(
                        job,
                        context.queue(),
                        context.settings().resume(),
                        this::lease,
                        context.checkpointSaves(),
                        context.events());
                ClonedRepository repository = cloneRepository(workspace, checkpoint.commit());
                resumed = resume(repository, workspace);
                AnalysisReport report = resumed.plan().isComplete()
                        ? gatherRestored(workspace)
                        : gather(analyze(repository, workspace, resumed.plan()));
                outcome = complete(report);
            } catch (Ending ending) {
                outcome = conclude(ending);
            } catch (RuntimeException | Error e) {
                // A bug, never the job's fault: the attempt is recorded as a passing failure and the worker goes on.
                LOG.error("job {}: unexpected error", job.id(), e);
                outcome = conclude(Ending.failure(JobFailure.of(FailureKind.TRANSIENT, "worker error: " + e)));
            } finally {
                close(cancellation);
                heartbeat.stop();
            }
            if (workspace != null && !workspace.delete()) {
                LOG.warn("job {}: workspace {} was not fully deleted", job.id(), workspace.root());
            }
            context.faults().attemptEnded(outcome);
            context.events()
                    .publish(new WorkerEvent.AttemptEnded(
                            job,
                            outcome,
                            Duration.ofNanos(System.nanoTime() - started),
                            context.clock().instant()));
        } finally {
            ended = true;
            onDone.accept(this);
        }
    }

    // ---------------------------------------------------------------- the steps

    private JobWorkspace prepareWorkspace() throws Ending {
        Optional<String> noSpace = context.tools().workspaces().missingFreeSpace();
        if (noSpace.isPresent()) {
            throw Ending.failure(JobFailure.of(FailureKind.WORKSPACE, noSpace.get()));
        }
        try {
            return context.tools().workspaces().create(job.id());
        } catch (IOException | RuntimeException e) {
            throw Ending.failure(JobFailure.of(
                    FailureKind.WORKSPACE,
                    "cannot create the job's workspace in TEMP_DIR ("
                            + context.tools().workspaces().root() + "): " + e));
        }
    }

    private ClonedRepository cloneRepository(JobWorkspace workspace, Optional<String> commit) throws Ending {
        progress.enter(JobStatus.CLONING);
        Optional<GitCredentials> credentials;
        try {
            credentials = context.queue().cloneCredentials(job);
        } catch (ConfigurationException e) {
            throw Ending.failure(
                    JobFailure.of(FailureKind.CONFIGURATION, "cannot read the clone credentials: " + e.getMessage()));
        } catch (JobQueueException e) {
            throw Ending.failure(
                    JobFailure.of(FailureKind.TRANSIENT, "cannot read the clone credentials: " + e.getMessage()));
        }
        ClonedRepository repository;
        try {
            // why: a checkpoint's files apply to the commit they were made from, wherever the branch is now
            repository = commit.isPresent()
                    ? context.tools()
                            .cloner()
                            .clone(job.source(), workspace.repositoryDir(), commit.get(), stop::requested, credentials)
                    : context.tools()
                            .cloner()
                            .clone(job.source(), workspace.repositoryDir(), stop::requested, credentials);
        } catch (CloneException e) {
            throw Ending.failure(e.failure());
        }
        context.events().publish(new WorkerEvent.RepositoryCloned(job, repository));
        requireNotStopped();
        return repository;
    }

    /**
     * Decides what this attempt runs, from its job's checkpoint: the checkpoint's basis against this attempt's, the
     * files kept restored into the output directory. Says it in the log, the row (as the progress text) and the
     * events.
     */
    private AttemptCheckpoint.Decision resume(ClonedRepository repository, JobWorkspace workspace) {
        Optional<CheckpointBasis> basis;
        try {
            basis = checkpoint.on()
                    ? context.tools().analyzer().checkpointBasis(job, repository.commit())
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            // why: a commit id or version the basis refuses (a scripted clone, say) costs the resume only
            LOG.warn("job {}: no checkpoint for this run: {}", job.id(), e.getMessage());
            basis = Optional.empty();
        }
        AttemptCheckpoint.Decision decision = checkpoint.decide(basis, workspace.outputDir());
        ResumePlan plan = decision.plan();
        if (plan.resumes() || !decision.ignored().isEmpty()) {
            LOG.info("job {}: {}", job.id(), decision.said());
            progress.resumed(new Progress(
                    Math.min(plan.firstStep(), Progress.FONDATION_STEPS), Progress.FONDATION_STEPS, decision.said()));
        }
        if (checkpoint.saving()) {
            context.events()
                    .publish(new WorkerEvent.AttemptResumed(
                            job,
                            plan.stepsResumed(),
                            decision.stepsRerun(),
                            plan.kept().size(),
                            plan.dropped().size(),
                            decision.ignored(),
                            decision.said(),
                            decision.costSaved(job)));
        }
        return decision;
    }

    /** The course restored from a finished checkpoint: no analyzer runs. */
    private AnalysisReport gatherRestored(JobWorkspace workspace) throws Ending {
        progress.enter(JobStatus.GATHERING);
        AnalysisReport report = context.tools().analyzer().collect(workspace.outputDir());
        context.events().publish(new WorkerEvent.AnalyzerReported(job, report.details(), report.warnings()));
        if (report.failure().isPresent()) {
            throw Ending.failure(report.failure().get());
        }
        requireNotStopped();
        outputComplete = true;
        return report;
    }

    private RunningAnalysis analyze(ClonedRepository repository, JobWorkspace workspace, ResumePlan plan)
            throws Ending {
        progress.enter(JobStatus.ANALYZING);
        if (plan.resumes() || !resumed.ignored().isEmpty()) {
            // why: the row says where this attempt starts until the analyzer's first step line replaces it
            progress.resumed(new Progress(plan.firstStep(), Progress.FONDATION_STEPS, resumed.said()));
        }
        AnalysisListener listener = new AnalysisListener() {
            @Override
            public void onProgress(Progress value) {
                progress.analyzer(value);
            }

            @Override
            public void onOutputFile(OutputFile file) {
                checkpoint.offer(file);
            }
        };
        RunningAnalysis running;
        try {
            running = checkpoint.saving()
                    ? context.tools()
                            .analyzer()
                            .resume(
                                    job,
                                    repository.directory(),
                                    workspace.outputDir(),
                                    workspace.stateDir(),
                                    listener,
                                    plan)
                    : context.tools()
                            .analyzer()
                            .start(job, repository.directory(), workspace.outputDir(), workspace.stateDir(), listener);
        } catch (ConfigurationException e) {
            throw Ending.failure(
                    JobFailure.of(FailureKind.CONFIGURATION, "the analyzer is misconfigured: " + e.getMessage()));
        }
        stop.interruptWith(running::cancel);
        AnalyzerExit exit;
        try {
            exit = running.awaitExit();
        } catch (InterruptedException e) {
            // The worker is being stopped hard: kill the analyzer and give the job back.
            requestStop(StopReason.SHUTDOWN);
            Thread.currentThread().interrupt();
            throw Ending.stopped();
        } finally {
            stop.interruptWith(() -> {});
            // why: the files of a stopped or failed run are checkpointed too: the next attempt resumes from them
            checkpoint.flush();
        }
        // why: a lease deadline met after the analyzer ended cleanly (while its last files were being saved through a
        // queue that had stopped answering) must not throw the finished analysis away: gather marks it complete, and
        // the stop's release, unreachable, keeps it as the job's finished checkpoint (abandonedKeepingOutput)
        boolean finishedBeforeDeadline =
                exit.exitedCleanly() && stop.reason().orElse(null) == StopReason.LEASE_DEADLINE;
        if (!finishedBeforeDeadline) {
            requireNotStopped();
        }
        if (!exit.exitedCleanly()) {
            attemptCost = exit.costUsd().orElse(null);
            llmLimit = exit.llmLimit().orElse(null);
            context.events().publish(new WorkerEvent.AnalyzerReported(job, exit.details(), List.of()));
            throw Ending.failure(exit.failure().orElseThrow());
        }
        return running;
    }

    private AnalysisReport gather(RunningAnalysis analysis) throws Ending {
        progress.enter(JobStatus.GATHERING);
        AnalysisReport report = analysis.gather();
        attemptCost = report.costUsd().orElse(attemptCost);
        llmLimit = report.llmLimit().orElse(null);
        context.events().publish(new WorkerEvent.AnalyzerReported(job, report.details(), report.warnings()));
        if (report.failure().isPresent()) {
            throw Ending.failure(report.failure().get());
        }
        outputComplete = true;
        clearSpentPause();
        requireNotStopped();
        return report;
    }

    /** The one write that stores documents: with the completion, and only if the queue accepts it. */
    private AttemptOutcome complete(AnalysisReport report) throws Ending {
        context.events().publish(new WorkerEvent.Completing(job));
        List<Document> documents = report.documents();
        JobResult result = result(report);
        heartbeat.stop();
        WriteResult<CompleteOutcome> written = writer.write(
                "complete",
                () -> context.queue()
                        .complete(
                                lease(),
                                new Completion(
                                        result,
                                        documents,
                                        PhaseText.completed(context.settings().progressLanguage(), progress.last())),
                                attemptCost));
        if (written instanceof WriteResult.Refused<CompleteOutcome> refused
                && refused.error() instanceof JobQueueException.Rejected) {
            throw Ending.failure(JobFailure.of(
                    FailureKind.ANALYZER_FAILED,
                    "the queue refused the documents: " + refused.error().getMessage()));
        }
        if (!(written instanceof WriteResult.Written<CompleteOutcome> done)) {
            return abandonedKeepingOutput("complete", written);
        }
        return switch (done.value()) {
            case COMPLETED, ALREADY_COMPLETED -> new AttemptOutcome.Completed(result);
            case CANCELED -> new AttemptOutcome.Canceled();
            case NOT_HELD -> new AttemptOutcome.LeaseLost("complete");
        };
    }

    private JobResult result(AnalysisReport report) {
        int count = report.documents().size();
        Map<String, Object> details = new LinkedHashMap<>(report.details());
        details.put("documents", count);
        if (resumed != null && resumed.plan().resumes()) {
            details.put("resumed_at_step", Math.min(resumed.plan().firstStep(), Progress.FONDATION_STEPS));
            details.put("resumed_files_kept", resumed.plan().kept().size());
            details.put("resumed_without_analyzer", resumed.plan().isComplete());
        }
        String message = "Analysis complete: " + count + " document" + (count == 1 ? "" : "s");
        Object leftOut = details.get(AnalysisRunner.FILES_LEFT_OUT);
        if (leftOut instanceof Integer files && files > 0) {
            message += "; " + files + (files == 1 ? " file" : " files") + " left out ("
                    + details.get(AnalysisRunner.FILES_LEFT_OUT_NAMES) + ")";
        }
        return new JobResult(message, count, details);
    }

    // ---------------------------------------------------------------- the ending

    /** Makes the final write an ending calls for. */
    private AttemptOutcome conclude(Ending ending) {
        if (stop.requested()) {
            return stopped();
        }
        // Every failure is stored through here: the one place that keeps secrets out of job rows, whatever
        // produced the message (an exception's text, a refused write, the analyzer's output): the values of the
        // analyzer's credentials, and anything shaped like a token.
        JobFailure raw = ending.failure;
        JobFailure failure =
                new JobFailure(raw.kind(), context.tools().analyzer().redact(raw.message()), raw.minRetryDelay());
        if (failure.kind().isWorkerFault()) {
            return release(AttemptOutcome.ReleaseReason.WORKER_FAULT, failure);
        }
        LlmLimit limit = llmLimit;
        if (limit != null) {
            return rateLimited(failure, limit);
        }
        return retryOrFail(retryableBudgetStop(failure));
    }

    /** The {@code retryOrFail} write of a failed attempt, and what it decided. */
    private AttemptOutcome retryOrFail(JobFailure failure) {
        heartbeat.stop();
        WriteResult<RetryDecision> written = writer.write(
                "retryOrFail", () -> context.queue().retryOrFail(lease(), failure, progress.last(), attemptCost));
        if (!(written instanceof WriteResult.Written<RetryDecision> done)) {
            return abandoned("retryOrFail", written);
        }
        RetryDecision decision = done.value();
        if (decision instanceof RetryDecision.Retrying retrying) {
            return new AttemptOutcome.RetryScheduled(
                    failure, retrying.nextRunAt(), retrying.attempts(), job.maxAttempts());
        }
        if (decision instanceof RetryDecision.GaveUp gaveUp) {
            return switch (gaveUp.status()) {
                case DEAD -> new AttemptOutcome.Dead(failure, gaveUp.attempts());
                case CANCELED -> new AttemptOutcome.Canceled();
                default -> new AttemptOutcome.Failed(failure, gaveUp.attempts());
            };
        }
        // Not held: canceled meanwhile (the cancellation stands), or the lease went to someone else.
        return stop.reason().orElse(null) == StopReason.CANCEL_REQUESTED
                ? new AttemptOutcome.Canceled()
                : new AttemptOutcome.LeaseLost("retryOrFail");
    }

    /**
     * Ends an attempt whose analyzer met an LLM rate limit or overload. A queue that keeps pauses takes the job back
     * without spending an attempt and pauses the credential for the fleet ({@link JobQueue#releaseRateLimited}); any
     * other queue gets today's {@code retryOrFail}, no earlier than the API's retry-after.
     */
    private AttemptOutcome rateLimited(JobFailure failure, LlmLimit limit) {
        Duration retryAfter = limit.retryAfter().orElse(null);
        Optional<String> credential = context.tools().analyzer().credentialFingerprint();
        if (credential.isEmpty() || !keepsPauses()) {
            Duration delay = retryAfter != null && retryAfter.compareTo(failure.minRetryDelay()) > 0
                    ? retryAfter
                    : failure.minRetryDelay();
            return retryOrFail(new JobFailure(failure.kind(), failure.message(), delay));
        }
        LlmLimitKind kind =
                limit.kind() == LlmLimit.Kind.OVERLOADED ? LlmLimitKind.OVERLOADED : LlmLimitKind.RATE_LIMIT;
        heartbeat.stop();
        WriteResult<RateLimitedRelease> written = writer.write(
                "releaseRateLimited",
                () -> context.queue()
                        .releaseRateLimited(
                                lease(), credential.get(), kind, retryAfter, failure.message(), attemptCost));
        if (!(written instanceof WriteResult.Written<RateLimitedRelease> done)) {
            return abandoned("releaseRateLimited", written);
        }
        RateLimitedRelease released = done.value();
        LOG.info(
                "job {}: the LLM API refused ({}); credential {} paused for the fleet until {}",
                job.id(),
                kind.wireName(),
                credential.get(),
                released.pause().until());
        return switch (released.outcome()) {
            case RELEASED -> new AttemptOutcome.Released(AttemptOutcome.ReleaseReason.RATE_LIMITED, null, true);
            case RETRYING ->
                new AttemptOutcome.RetryScheduled(
                        failure, released.nextRunAt(), released.attempts(), job.maxAttempts());
            case DEAD -> new AttemptOutcome.Dead(failure, released.attempts());
            case NOT_HELD ->
                stop.reason().orElse(null) == StopReason.CANCEL_REQUESTED
                        ? new AttemptOutcome.Canceled()
                        : new AttemptOutcome.LeaseLost("releaseRateLimited");
        };
    }

    /**
     * A stop at the analyzer's cost limit is retryable when the job has a budget across attempts: the queue then ends
     * the job {@code dead} once its budget is spent, and retries it while some is left.
     */
    private JobFailure retryableBudgetStop(JobFailure failure) {
        boolean budgetStop =
                failure.kind() == FailureKind.INVALID_INPUT && failure.message().contains("reached its cost limit");
        boolean jobHasBudget = job.claimTerms().flatMap(ClaimTerms::budget).isPresent();
        return budgetStop && jobHasBudget
                ? new JobFailure(FailureKind.ANALYZER_FAILED, failure.message(), failure.minRetryDelay())
                : failure;
    }

    private boolean keepsPauses() {
        try {
            return context.queue().fleetSupport().supports(FleetSupport.Feature.LLM_PAUSES);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The analysis got its answers: when this attempt's claim was the probe of the credential's pause ({@link
     * ClaimTerms#probe()}), that pause has run its course and ends at once, so the fleet resumes without waiting out
     * the probe's window. Any other attempt leaves the pause alone and makes no call (the claim said it was not the
     * probe); the queue keeps a pause that is in force again (a new limit met meanwhile).
     */
    private void clearSpentPause() {
        Optional<String> credential = context.tools().analyzer().credentialFingerprint();
        boolean probe = job.claimTerms().map(ClaimTerms::probe).orElse(false);
        // why no fleetSupport() check: only a queue that keeps pauses answers a claim as the probe
        if (!probe || credential.isEmpty()) {
            return;
        }
        try {
            context.queue().clearPause(context.settings().workerId(), credential.get());
        } catch (RuntimeException e) {
            // why: the pause's probe window ends it anyway; a failed clear must not fail a good analysis
            LOG.debug("job {}: clearing the LLM pause failed: {}", job.id(), e.toString());
        }
    }

    /** Ends an attempt that was told to stop: writes only what the reason allows. */
    private AttemptOutcome stopped() {
        StopReason reason = stop.reason().orElseThrow();
        return switch (reason) {
            case LEASE_LOST -> new AttemptOutcome.LeaseLost(phaseName());
            case CANCEL_REQUESTED -> giveBackTheLock();
            case SHUTDOWN -> release(AttemptOutcome.ReleaseReason.SHUTDOWN, null);
            case LEASE_DEADLINE -> release(AttemptOutcome.ReleaseReason.LEASE_DEADLINE, null);
        };
    }

    /**
     * Ends a canceled attempt: {@code release} gives the job's lock back and nothing else (the cancellation stands,
     * in the attempt it was made in), so that the ended job's row holds no lock.
     */
    private AttemptOutcome giveBackTheLock() {
        heartbeat.stop();
        writer.write("release", () -> context.queue().release(lease(), attemptCost));
        return new AttemptOutcome.Canceled();
    }

    private AttemptOutcome release(AttemptOutcome.ReleaseReason reason, JobFailure fault) {
        heartbeat.stop();
        WriteResult<Boolean> written =
                writer.write("release", () -> context.queue().release(lease(), attemptCost));
        if (written instanceof WriteResult.Written<Boolean> done) {
            return new AttemptOutcome.Released(
                    reason, fault, done.value(), context.queue().releaseSpendsAttempt());
        }
        return abandonedKeepingOutput("release", written);
    }

    /**
     * An attempt that could not write its end: when its analysis had finished, its output is kept as the job's
     * finished checkpoint as soon as the queue answers again, so that the next attempt needs no analyzer run.
     */
    private AttemptOutcome abandonedKeepingOutput(String write, WriteResult<?> result) {
        if (outputComplete && workspace != null && checkpoint != null) {
            checkpoint.keepFinished(
                    workspace.outputDir(),
                    context.clock(),
                    context.heartbeats().timing().retryDelay(),
                    context.pause());
        }
        return abandoned(write, result);
    }

    private static AttemptOutcome abandoned(String write, WriteResult<?> result) {
        String error = result instanceof WriteResult.Unreachable<?> unreachable
                ? unreachable.error().getMessage()
                : result instanceof WriteResult.Refused<?> refused
                        ? refused.error().getMessage()
                        : "";
        return new AttemptOutcome.Abandoned(write, SecretRedactor.redactTokens(error));
    }

    private void requireNotStopped() throws Ending {
        if (stop.requested()) {
            throw Ending.stopped();
        }
    }

    private String phaseName() {
        Progress last = progress.last();
        return last == null ? "claim" : last.message();
    }

    private JobLease lease() {
        return heartbeat.lease();
    }

    private QueueWatch watchCancellation() {
        try {
            return context.queue()
                    .watchCancellation(
                            job.lease(),
                            DaemonThreads.withCallersLogContext(() -> requestStop(StopReason.CANCEL_REQUESTED)));
        } catch (RuntimeException e) {
            LOG.warn("job {}: cannot watch for its cancellation; heartbeats will tell: {}", job.id(), e.toString());
            return QueueWatch.NONE;
        }
    }

    private static void close(QueueWatch watch) {
        try {
            watch.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a queue watch failed", e);
        }
    }

    /** Why the steps ended early: a classified failure, or a stop (the {@link AttemptStop} holds its reason). */
    private static final class Ending extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient JobFailure failure;

        private Ending(JobFailure failure) {
            super(failure == null ? "stopped" : failure.kind().name(), null, false, false);
            this.failure = failure;
        }

        static Ending failure(JobFailure failure) {
            return new Ending(Objects.requireNonNull(failure, "failure"));
        }

        static Ending stopped() {
            return new Ending(null);
        }
    }
}
