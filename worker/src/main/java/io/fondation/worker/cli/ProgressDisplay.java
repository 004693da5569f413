package io.fondation.worker.cli;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.OutcomeText;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows what the worker does with each job, for {@code dev}. Piped, it prints one line per event
 * ({@code [job 1a2b3c4d] 2/6 Analyse des relations entre composants}); on a terminal, progress is a
 * bar redrawn in place with a carriage return, and other events print on lines of their own.
 * Events arrive on worker threads, so every method holds the lock.
 */
final class ProgressDisplay implements WorkerListener {

    static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final Clock clock;
    private final boolean terminal;
    private final Map<String, ClaimedJob> claims = new ConcurrentHashMap<>();
    private final Map<String, JobStatus> phases = new ConcurrentHashMap<>();
    private boolean barOpen;

    ProgressDisplay(PrintWriter out, Clock clock, boolean terminal) {
        this.out = out;
        this.clock = clock;
        this.terminal = terminal;
    }

    /** A line of the command's own (job queued, summary), kept apart from an open progress bar. */
    synchronized void line(String text) {
        closeBar();
        out.println(text);
        out.flush();
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        claims.put(job.id(), job);
        line(prefix(job.id()) + "claimed by " + job.lease().workerId() + ", attempt " + job.attempt() + "/"
                + job.maxAttempts());
    }

    /**
     * The phase is shown with the progress text that follows it ({@code cloning: Clonage du dépôt}),
     * which would otherwise repeat it on a line of its own.
     */
    @Override
    public synchronized void onPhase(String jobId, JobStatus phase) {
        flushPhase(jobId);
        phases.put(jobId, phase);
    }

    @Override
    public synchronized void onProgress(String jobId, Progress progress) {
        JobStatus phase = phases.remove(jobId);
        String text = (phase == null ? "" : phase.wireName() + ": ") + JobFormatter.progress(progress);
        if (terminal) {
            int filled = BAR_WIDTH * progress.step() / progress.totalSteps();
            String bar = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] ";
            // \r returns to the start of the line, ESC[K erases what a longer previous text left.
            out.print("\r" + prefix(jobId) + bar + text + "\u001b[K");
            barOpen = true;
        } else {
            out.println(prefix(jobId) + text);
        }
        out.flush();
    }

    @Override
    public synchronized void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        flushPhase(job.id());
        String text =
                JobFormatter.truncate(JobFormatter.oneLine(OutcomeText.describe(job, outcome, clock.instant())), 400);
        line(prefix(job.id()) + text);
    }

    @Override
    public synchronized void onWorkerFault(JobFailure fault, Duration nextCheck) {
        line("Worker fault (" + fault.kind().name().toLowerCase(Locale.ROOT) + "): "
                + JobFormatter.truncate(JobFormatter.oneLine(fault.message()), 300)
                + "; jobs are released, not failed; checking again in " + nextCheck.toSeconds() + " s");
    }

    @Override
    public synchronized void onWorkerRecovered() {
        line("Worker fault cleared; claiming jobs again");
    }

    static String prefix(String jobId) {
        return "[job " + JobIds.shortId(jobId) + "] ";
    }

    /** Prints a phase no progress text followed. */
    private void flushPhase(String jobId) {
        JobStatus phase = phases.remove(jobId);
        if (phase != null) {
            line(prefix(jobId) + phase.wireName());
        }
    }

    private void closeBar() {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
    }
}
