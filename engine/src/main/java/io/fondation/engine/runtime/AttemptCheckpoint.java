package io.fondation.engine.runtime;

import io.fondation.clibridge.resume.CheckpointScanner;
import io.fondation.clibridge.resume.OutputFile;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.Backoff;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's checkpoint as one attempt uses it (issue 23), in the order of the attempt:
 * <ol>
 *   <li>{@link #open}: at the start, the queue's checkpoint of the job, opened under the attempt's lease (which makes
 *       it the checkpoint's holder); none when {@code RESUME} is off, the queue keeps none, or it cannot be read;
 *   <li>{@link #commit()}: the commit to clone, the checkpoint's own, so that its files still apply;
 *   <li>{@link #decide}: the checkpoint's basis against the attempt's; a different one is ignored (and said so) and
 *       its files removed; else the {@link ResumePlan}: invalid files dropped (and removed from the checkpoint), the
 *       valid ones restored into the output directory;
 *   <li>{@link #offer}: while the analyzer runs, each output file it completes is saved, fenced by the lease
 *       ({@link CheckpointFence#LEASE}), on the saver's executor; {@link #flush} waits for them at the analyzer's exit;
 *   <li>{@link #keepFinished}: an attempt whose output is complete but whose completion could not be written (the
 *       queue unreachable) saves that output as a finished checkpoint as soon as the queue answers again, fenced
 *       {@link CheckpointFence#LEASE_OR_WAITING}, so that the next attempt completes without running the analyzer.
 * </ol>
 * Every queue error here is logged and costs only the resume: the attempt itself goes on as if without checkpoints.
 */
final class AttemptCheckpoint {

    /** What an attempt resumes from, and what it says about it. */
    record Decision(ResumePlan plan, String ignored) {

        /** For the log and the job's row: {@code resumed at step 5/6 (9 files kept)}, or why nothing is resumed. */
        String said() {
            return ignored.isEmpty() ? plan.describe() : ignored + "; runs from step 1/" + Progress.FONDATION_STEPS;
        }

        /**
         * The LLM cost this attempt does not pay again (issue 23's "cost saved"): the cost the job's earlier attempts
         * reported ({@link ClaimTerms#costUsd()}, as the claim saw it) when at least one step is kept, else zero. It is
         * an upper bound of what the kept steps cost (it includes what those attempts spent on work that was not
         * kept: the step they failed in, dropped files), and it cannot count what an attempt that reported nothing
         * spent (killed, released on SIGTERM, lease lost: the analyzer never said; the Fondation CLI reports no
         * cost at all) nor what a queue without cost budgets does not tell.
         */
        BigDecimal costSaved(ClaimedJob job) {
            if (plan.stepsResumed() == 0) {
                return BigDecimal.ZERO;
            }
            return job.claimTerms().map(ClaimTerms::costUsd).orElse(BigDecimal.ZERO);
        }

        /** Steps that run: none when the checkpoint is complete. */
        int stepsRerun() {
            return plan.isComplete() ? 0 : Progress.FONDATION_STEPS - plan.stepsResumed();
        }
    }

    /** How long the attempt waits, at the analyzer's exit, for the saves still under way. */
    static final Duration FLUSH_WAIT = Duration.ofSeconds(30);

    /** Tries at saving a finished output the queue could not take, with waits doubling up to {@link #MAX_KEEP_WAIT}. */
    static final int KEEP_TRIES = 12;

    /** The longest wait between two of those tries: with 12 tries, about ten minutes in all. */
    static final Duration MAX_KEEP_WAIT = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(AttemptCheckpoint.class);

    private final ClaimedJob job;
    private final JobQueue queue;
    private final Supplier<JobLease> lease;
    private final Executor saves;
    private final EventSink events;
    private final Checkpoint found;
    private final boolean on;
    private final Map<String, OutputFile> unsaved = new ConcurrentHashMap<>();
    private volatile CheckpointBasis basis;
    private volatile boolean refused;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    private AttemptCheckpoint(
            ClaimedJob job,
            JobQueue queue,
            Supplier<JobLease> lease,
            Executor saves,
            EventSink events,
            Checkpoint found,
            boolean on) {
        this.job = job;
        this.queue = queue;
        this.lease = lease;
        this.saves = saves;
        this.events = events;
        this.found = found;
        this.on = on;
    }

    /**
     * Opens the job's checkpoint for this attempt.
     *
     * @param resume whether resuming is on ({@code RESUME})
     * @param lease the attempt's current lease
     * @param saves where files are saved while the analyzer runs (the caller's thread in a manual worker)
     */
    static AttemptCheckpoint open(
            ClaimedJob job,
            JobQueue queue,
            boolean resume,
            Supplier<JobLease> lease,
            Executor saves,
            EventSink events) {
        Objects.requireNonNull(job, "job");
        if (!resume || !supported(queue)) {
            return new AttemptCheckpoint(job, queue, lease, saves, events, null, false);
        }
        Checkpoint found = null;
        try {
            found = queue.openCheckpoint(lease.get()).orElse(null);
        } catch (JobQueueException | UnsupportedOperationException e) {
            // why: a checkpoint that cannot be read costs the resume, never the attempt
            LOG.warn("job {}: cannot read its checkpoint, runs from the start: {}", job.id(), e.getMessage());
        }
        return new AttemptCheckpoint(job, queue, lease, saves, events, found, true);
    }

    private static boolean supported(JobQueue queue) {
        try {
            return queue.checkpointSupport().supported();
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether the queue keeps checkpoints; this attempt keeps none: {}", e.toString());
            return false;
        }
    }

    /** Whether checkpoints are used at all: resuming on, and a queue that keeps them. */
    boolean on() {
        return on;
    }

    /** The commit the checkpoint was made from: the one to clone. */
    Optional<String> commit() {
        return found == null ? Optional.empty() : Optional.of(found.basis().commit());
    }

    /**
     * Decides what the attempt resumes from and restores the files it keeps into {@code outputDir}.
     *
     * @param wanted the attempt's basis (its commit, analyzer, model, prompt); empty when the analyzer cannot resume
     */
    Decision decide(Optional<CheckpointBasis> wanted, Path outputDir) {
        if (!on || wanted.isEmpty()) {
            return new Decision(ResumePlan.fromStart(), "");
        }
        basis = wanted.get();
        if (found == null) {
            return new Decision(ResumePlan.fromStart(), "");
        }
        List<String> differences = found.basis().differencesFrom(basis);
        if (!differences.isEmpty()) {
            String ignored = "checkpoint ignored: " + String.join("; ", differences);
            LOG.info("job {}: {}", job.id(), ignored);
            remove(found.contents().keySet());
            return new Decision(ResumePlan.fromStart(), ignored);
        }
        ResumePlan plan = ResumePlan.of(found.contents(), found.finished(), OutputFileCheck.withDefaults());
        if (!plan.dropped().isEmpty()) {
            LOG.info("job {}: checkpoint files dropped: {}", job.id(), plan.dropped());
            remove(plan.droppedPaths());
        }
        try {
            plan.restoreInto(outputDir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: cannot restore its checkpoint, runs from the start: {}", job.id(), e.toString());
            return new Decision(ResumePlan.fromStart(), "checkpoint not restored: " + e.getMessage());
        }
        return new Decision(plan, "");
    }

    /** Whether the attempt saves its files (resuming on, a queue that keeps them, an analyzer that resumes). */
    boolean saving() {
        return basis != null;
    }

    /** Saves {@code file} into the checkpoint, on the saver's executor, after the files offered before it. */
    synchronized void offer(OutputFile file) {
        if (basis == null || refused) {
            return;
        }
        tail = tail.thenRunAsync(() -> save(file), saves);
    }

    /** Waits (boundedly) for the saves under way, then tries once more those the queue did not take. */
    void flush() {
        CompletableFuture<Void> last;
        synchronized (this) {
            last = tail;
        }
        try {
            last.get(FLUSH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("job {}: checkpoint saves did not end in time: {}", job.id(), e.toString());
        }
        List.copyOf(unsaved.values()).forEach(this::save);
    }

    private void save(OutputFile file) {
        if (refused) {
            return;
        }
        try {
            CheckpointWrite written =
                    queue.saveCheckpointFile(lease.get(), basis, file.toCheckpointFile(), CheckpointFence.LEASE);
            unsaved.remove(file.path());
            if (written == CheckpointWrite.SAVED) {
                events.publish(new WorkerEvent.CheckpointSaved(job.id(), file.path()));
            } else {
                // why: the lease is gone (another holder, a cancel): nothing of this attempt goes in any more
                refused = true;
                LOG.info("job {}: the checkpoint is no longer this attempt's; {} not saved", job.id(), file.path());
            }
        } catch (JobQueueException.Rejected e) {
            unsaved.remove(file.path());
            LOG.info("job {}: {} is not checkpointed (a resume redoes it): {}", job.id(), file.path(), e.getMessage());
        } catch (JobQueueException e) {
            unsaved.put(file.path(), file);
            LOG.warn("job {}: cannot save {} into the checkpoint yet: {}", job.id(), file.path(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("job {}: cannot save {} into the checkpoint: {}", job.id(), file.path(), e.toString());
        }
    }

    private void remove(java.util.Collection<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        try {
            queue.removeCheckpointFiles(lease.get(), List.copyOf(paths));
        } catch (JobQueueException | UnsupportedOperationException e) {
            LOG.warn("job {}: cannot remove files from its checkpoint: {}", job.id(), e.getMessage());
        }
    }

    /** Waits between tries; false when the worker is being stopped hard. */
    @FunctionalInterface
    interface Pause {
        boolean pause(Duration wait);
    }

    /**
     * Saves the complete output in {@code outputDir}, which the queue could not take as the job's completion, as the
     * job's finished checkpoint: every valid output file, then {@link JobQueue#finishCheckpoint}, fenced
     * {@link CheckpointFence#LEASE_OR_WAITING}. Tries while the queue does not answer, up to {@link #KEEP_TRIES}
     * times, and stops at a refusal (another holder has the job, or it ended).
     *
     * @param firstWait the wait after the first failed try (doubling up to {@link #MAX_KEEP_WAIT})
     * @return whether the finished checkpoint was written
     */
    boolean keepFinished(Path outputDir, Clock clock, Duration firstWait, Pause pause) {
        if (basis == null) {
            return false;
        }
        List<OutputFile> files = new CheckpointScanner(outputDir, OutputFileCheck.withDefaults(), Duration.ZERO, clock)
                .scan(Progress.FONDATION_STEPS + 1, true);
        if (files.isEmpty()) {
            return false;
        }
        List<String> paths = files.stream().map(OutputFile::path).toList();
        Backoff.Sequence waits = Backoff.doubling(firstWait, MAX_KEEP_WAIT).sequence();
        for (int attempt = 1; attempt <= KEEP_TRIES; attempt++) {
            try {
                for (OutputFile file : files) {
                    CheckpointWrite written = queue.saveCheckpointFile(
                            lease.get(), basis, file.toCheckpointFile(), CheckpointFence.LEASE_OR_WAITING);
                    if (written != CheckpointWrite.SAVED) {
                        LOG.info("job {}: its output cannot be kept: the job is no longer this attempt's", job.id());
                        return false;
                    }
                }
                CheckpointWrite finished =
                        queue.finishCheckpoint(lease.get(), basis, paths, CheckpointFence.LEASE_OR_WAITING);
                if (finished == CheckpointWrite.SAVED) {
                    LOG.info(
                            "job {}: its finished output ({} files) is kept as its checkpoint: the next attempt"
                                    + " completes without running the analyzer",
                            job.id(),
                            files.size());
                    return true;
                }
                LOG.info("job {}: its output cannot be kept ({})", job.id(), finished);
                return false;
            } catch (JobQueueException.Rejected e) {
                LOG.info("job {}: its output cannot be kept: {}", job.id(), e.getMessage());
                return false;
            } catch (JobQueueException e) {
                Duration wait = waits.next();
                LOG.warn(
                        "job {}: the queue does not answer; keeping its finished output, try {}/{} again in {} s: {}",
                        job.id(),
                        attempt,
                        KEEP_TRIES,
                        wait.toSeconds(),
                        e.getMessage());
                if (attempt < KEEP_TRIES && !pause.pause(wait)) {
                    return false;
                }
            }
        }
        LOG.warn("job {}: the queue did not answer; its finished output is lost", job.id());
        return false;
    }
}
