package io.fondation.http.oneshot;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.OutcomeText;
import io.fondation.engine.runtime.StopSignal;
import io.fondation.engine.runtime.Worker;
import io.fondation.http.callback.CallbackBodies;
import io.fondation.http.callback.CallbackClient;
import io.fondation.http.callback.Delivery;
import io.fondation.http.callback.ProgressCallbacks;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.Completion;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Document;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job, run to its end by the ordinary {@link Worker} on a {@link SingleJobQueue}, reported to a webhook in
 * the existing system's format: a progress callback for each step (coalesced, on a thread of their own), then one
 * final callback — {@code complete} with the files, or {@code error} — retried until {@code CALLBACK_RETRIES} runs
 * out. Callback failures never fail the job; the exit code ({@link OneShotExit}) says what happened to both.
 */
public final class OneShotJob {

    /** How long waiting progress callbacks may take to go out before the final one. */
    static final Duration PROGRESS_FLUSH = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(OneShotJob.class);

    /**
     * Builds the worker that runs the one job: the application's worker (its settings, tools and checks), on the
     * queue of one job and with the listener given here. The worker is not started.
     */
    @FunctionalInterface
    public interface WorkerFactory {
        Worker create(JobQueue queue, WorkerListener listener);
    }

    private final OneShotSettings settings;
    private final WorkerFactory workers;
    private final Clock clock;
    private final CallbackClient client;
    private final Consumer<String> report;

    /**
     * @param workers builds the worker on the job's queue
     * @param report receives the one-line summary printed at the end
     */
    public OneShotJob(OneShotSettings settings, WorkerFactory workers, Clock clock, Consumer<String> report) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.report = Objects.requireNonNull(report, "report");
        this.client = new CallbackClient(settings.callbackTimeout(), settings.callbackBackoff());
    }

    /** Runs the job and sends its callbacks; returns the exit code. */
    @SuppressWarnings("try") // why: the stop registration is used by its effect, closed by try-with-resources
    public int run(StopSignal stopSignal) {
        Instant started = clock.instant();
        if (settings.localhostRewritten()) {
            LOG.info(
                    "running in a container: callbacks go to {}",
                    settings.callback().describe());
        }
        String jobId = settings.jobId();
        if (settings.refusal() != null) {
            // why: the job's own input is at fault, not the worker: the receiver is told (its job would wait for
            // ever otherwise), and the exit code says the job failed
            String error = "the job's input was refused: " + settings.refusal();
            LOG.warn("job {}: {}", jobId, error);
            Delivery delivery = sendFinal("error", CallbackBodies.error(jobId, error, clock.instant()));
            report.accept("job " + jobId + ": " + error + "; " + describe("error", delivery));
            return delivery.delivered() ? OneShotExit.JOB_FAILED : OneShotExit.CALLBACK_FAILED;
        }
        SingleJobQueue queue = new SingleJobQueue(
                jobId,
                new JobSpec(settings.source(), settings.prompt(), settings.maxAttempts(), null, null),
                clock,
                RetryPolicy.DEFAULT,
                this::payloadProblem);
        ProgressCallbacks progress = new ProgressCallbacks(client, settings.callback(), settings.progressTries());
        CompletableFuture<AttemptOutcome> ended = new CompletableFuture<>();
        AtomicReference<ClaimedJob> lastClaim = new AtomicReference<>();
        AtomicReference<Progress> lastProgress = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        WorkerListener listener = new Listener(progress, ended, lastClaim, lastProgress);
        Worker worker = workers.create(queue, listener);
        try {
            worker.preflight();
        } catch (ConfigurationException e) {
            progress.close();
            worker.stop();
            String error = "the worker cannot run the job: " + e.getMessage();
            LOG.error("job {}: {}", jobId, error);
            Delivery delivery = sendFinal("error", CallbackBodies.error(jobId, error, clock.instant()));
            report.accept("job " + jobId + ": " + error + "; " + describe("error", delivery));
            return delivery.delivered() ? OneShotExit.CONFIGURATION : OneShotExit.CALLBACK_FAILED;
        }
        AttemptOutcome outcome;
        try (StopSignal.Registration registration = stopSignal.onStop(() -> {
            interrupted.set(true);
            worker.stop();
            ended.complete(null);
        })) {
            worker.start();
            outcome = await(ended);
        } catch (Exception e) {
            throw new IllegalStateException("run-job: " + e.getMessage(), e);
        } finally {
            worker.stop();
        }
        boolean progressComplete = progress.finish(PROGRESS_FLUSH);
        if (!progressComplete) {
            LOG.warn("job {}: {} progress callback(s) were not delivered", jobId, progress.dropped());
        }
        Instant now = clock.instant();
        if (outcome instanceof AttemptOutcome.Completed completed) {
            Completion completion = queue.completion().orElseThrow();
            List<Document> documents = completion.documents();
            byte[] body = CallbackBodies.complete(jobId, Duration.between(started, now), documents, now);
            Delivery delivery = sendFinal("complete", body);
            if (delivery.tooLarge()) {
                String error = "the receiver refused the complete callback as too large (HTTP 413, " + body.length
                        + " bytes for " + documents.size() + " documents); lower CALLBACK_MAX_PAYLOAD_BYTES to"
                        + " what it accepts";
                Delivery errorDelivery = sendFinal("error", CallbackBodies.error(jobId, error, clock.instant()));
                report.accept("job " + jobId + ": completed, but " + error + "; " + describe("error", errorDelivery));
                return OneShotExit.CALLBACK_FAILED;
            }
            report.accept("job " + jobId + ": " + completed.result().message() + "; " + describe("complete", delivery));
            return delivery.delivered() ? OneShotExit.OK : OneShotExit.CALLBACK_FAILED;
        }
        String error;
        int code;
        if (interrupted.get()
                || outcome == null
                || outcome instanceof AttemptOutcome.Released released
                        && released.reason() == AttemptOutcome.ReleaseReason.SHUTDOWN) {
            error = "interrupted: the worker was stopped (SIGTERM or Ctrl-C) before the job ended"
                    + where(lastProgress.get()) + "; no documents were sent";
            code = OneShotExit.INTERRUPTED;
        } else if (outcome instanceof AttemptOutcome.Released released && released.fault() != null) {
            error = "the worker could not run the job (" + released.fault().kind() + "): "
                    + released.fault().message();
            code = OneShotExit.CONFIGURATION;
        } else if (outcome instanceof AttemptOutcome.Failed failed) {
            error = failed.failure().message();
            code = OneShotExit.JOB_FAILED;
        } else if (outcome instanceof AttemptOutcome.Dead dead) {
            error = dead.failure().message()
                    + (settings.maxAttempts() > 1 ? " (after " + dead.attempts() + " attempts)" : "");
            code = OneShotExit.JOB_FAILED;
        } else {
            ClaimedJob claim = lastClaim.get();
            error = claim == null ? outcome.name() : OutcomeText.describe(claim, outcome, now);
            code = OneShotExit.JOB_FAILED;
        }
        Delivery delivery = sendFinal("error", CallbackBodies.error(jobId, error, now));
        report.accept("job " + jobId + ": " + oneLine(error) + "; " + describe("error", delivery));
        return delivery.delivered() ? code : OneShotExit.CALLBACK_FAILED;
    }

    /** The final callback, with every try it is allowed. */
    private Delivery sendFinal(String what, byte[] body) {
        Delivery delivery = client.post(settings.callback(), what, body, settings.finalTries());
        if (!delivery.delivered()) {
            LOG.error(
                    "job {}: the {} callback to {} was not delivered after {} tries: {}",
                    settings.jobId(),
                    what,
                    settings.callback().describe(),
                    delivery.tries(),
                    delivery.problem());
        }
        return delivery;
    }

    /** Refuses a completion whose complete callback would pass {@code CALLBACK_MAX_PAYLOAD_BYTES}. */
    private Optional<String> payloadProblem(Completion completion) {
        int bytes = CallbackBodies.complete(settings.jobId(), Duration.ZERO, completion.documents(), clock.instant())
                .length;
        if (bytes <= settings.maxPayloadBytes()) {
            return Optional.empty();
        }
        return Optional.of("the " + completion.documents().size() + " documents make a complete callback of " + bytes
                + " bytes, above CALLBACK_MAX_PAYLOAD_BYTES (" + settings.maxPayloadBytes()
                + " bytes); nothing was sent (raise the limit if the receiver accepts more)");
    }

    private static String describe(String what, Delivery delivery) {
        return delivery.delivered()
                ? what + " callback delivered (HTTP " + delivery.status() + ", " + tries(delivery.tries()) + ")"
                : what + " callback NOT delivered after " + tries(delivery.tries()) + ": " + delivery.problem();
    }

    private static String tries(int tries) {
        return tries + (tries == 1 ? " try" : " tries");
    }

    private static String where(Progress progress) {
        if (progress == null) {
            return "";
        }
        return ", at step " + progress.step() + "/" + progress.totalSteps() + " (" + progress.message() + ")";
    }

    private static String oneLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " …";
    }

    private static AttemptOutcome await(CompletableFuture<AttemptOutcome> ended) throws InterruptedException {
        try {
            return ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Turns the worker's events into progress callbacks and notes the end of the job. */
    private final class Listener implements WorkerListener {
        private final ProgressCallbacks progress;
        private final CompletableFuture<AttemptOutcome> ended;
        private final AtomicReference<ClaimedJob> lastClaim;
        private final AtomicReference<Progress> lastProgress;
        private volatile String phase = "claimed";

        Listener(
                ProgressCallbacks progress,
                CompletableFuture<AttemptOutcome> ended,
                AtomicReference<ClaimedJob> lastClaim,
                AtomicReference<Progress> lastProgress) {
            this.progress = progress;
            this.ended = ended;
            this.lastClaim = lastClaim;
            this.lastProgress = lastProgress;
        }

        @Override
        public void onClaimed(ClaimedJob job) {
            lastClaim.set(job);
        }

        @Override
        public void onPhase(String jobId, JobStatus value) {
            phase = value.wireName();
        }

        @Override
        public void onProgress(String jobId, Progress value) {
            lastProgress.set(value);
            String status = phase;
            progress.offer(
                    status + ":" + value.step(),
                    CallbackBodies.progress(settings.jobId(), status, value, clock.instant()));
        }

        @Override
        public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
            if (outcome instanceof AttemptOutcome.RetryScheduled retry) {
                Progress last = lastProgress.get();
                Progress text = new Progress(
                        last == null ? 0 : last.step(),
                        last == null ? Progress.FONDATION_STEPS : last.totalSteps(),
                        OutcomeText.describe(job, outcome, clock.instant()));
                phase = "retrying";
                progress.offer(
                        "retrying:" + retry.attempts(),
                        CallbackBodies.progress(settings.jobId(), "retrying", text, clock.instant()));
                return;
            }
            ended.complete(outcome);
        }
    }
}
