package io.fondation.http.api;

import io.fondation.http.HttpDefaults;
import io.fondation.http.callback.CallbackAddressPolicy;
import io.fondation.http.callback.CallbackBodies;
import io.fondation.http.callback.CallbackClient;
import io.fondation.http.callback.CallbackTarget;
import io.fondation.http.callback.Delivery;
import io.fondation.http.callback.ProgressCallbacks;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports jobs submitted through the legacy {@code POST /execute} with a {@code callbackUrl} to that webhook, in
 * the one-shot format: it watches the job's row in the queue (whichever worker runs it) and posts a progress
 * callback when the progress changes (and the last one before the end, even for a job that ran between two reads),
 * then {@code complete} with the files or {@code error}. The callback token
 * lives in this process's memory only, never in the queue; the jobs still running when the server stops get no
 * final callback.
 */
final class CallbackRelay implements AutoCloseable {

    /** How often a relayed job's row is read. */
    static final Duration POLL = Duration.ofSeconds(1);
    /** The most jobs relayed at once. */
    static final int MAX_RELAYED = 256;

    private static final Logger LOG = LoggerFactory.getLogger(CallbackRelay.class);

    private final JobQueue queue;
    private final Clock clock;
    private final CallbackClient client;
    private final Map<String, Thread> relays = new ConcurrentHashMap<>();
    private volatile boolean closed;

    CallbackRelay(JobQueue queue, Clock clock, CallbackAddressPolicy callbacks) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.clock = Objects.requireNonNull(clock, "clock");
        // why: the URL is a caller's: each post resolves the host once, checks the address and connects to it
        this.client = CallbackClient.guarded(
                callbacks, Duration.ofMillis(HttpDefaults.CALLBACK_TIMEOUT_MS), HttpDefaults.CALLBACK_BACKOFF);
    }

    /** Whether another job can be relayed now. */
    boolean hasRoom() {
        return !closed && relays.size() < MAX_RELAYED;
    }

    /**
     * Starts reporting {@code queueId} to {@code target} under the caller's {@code callerJobId}.
     */
    void relay(String queueId, String callerJobId, CallbackTarget target) {
        Thread thread = new Thread(() -> run(queueId, callerJobId, target), "fondation-callback-relay");
        thread.setDaemon(true);
        if (relays.putIfAbsent(queueId, thread) == null) {
            thread.start();
        }
    }

    private void run(String queueId, String callerJobId, CallbackTarget target) {
        Instant started = clock.instant();
        ProgressCallbacks progress = new ProgressCallbacks(client, target, 3);
        try {
            Progress last = null;
            JobStatus lastStatus = null;
            while (!closed) {
                JobSnapshot job = queue.get(queueId).orElse(null);
                if (job == null) {
                    progress.finish(Duration.ofSeconds(5));
                    send(
                            target,
                            "error",
                            CallbackBodies.error(callerJobId, "the job disappeared from the queue", clock.instant()));
                    return;
                }
                if (job.status().isTerminal()) {
                    if (job.progress() != null && !job.progress().equals(last)) {
                        // why: the last step the job reached reaches the webhook before its end, even when the
                        // whole job ran between two reads of its row
                        offer(progress, callerJobId, job);
                    }
                    progress.finish(Duration.ofSeconds(5));
                    finish(job, callerJobId, target, started);
                    return;
                }
                if (job.progress() != null && (!job.progress().equals(last) || job.status() != lastStatus)) {
                    last = job.progress();
                    lastStatus = job.status();
                    offer(progress, callerJobId, job);
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("callback relay of job {} stopped: {}", queueId, e.toString());
        } finally {
            progress.close();
            relays.remove(queueId);
        }
    }

    /** Queues a progress callback of the job's current status and step (coalesced by that pair). */
    private void offer(ProgressCallbacks progress, String callerJobId, JobSnapshot job) {
        progress.offer(
                job.status().wireName() + ":" + job.progress().step(),
                CallbackBodies.progress(callerJobId, job.status().wireName(), job.progress(), clock.instant()));
    }

    private void finish(JobSnapshot job, String callerJobId, CallbackTarget target, Instant started) {
        Instant now = clock.instant();
        if (job.status() == JobStatus.COMPLETED) {
            send(
                    target,
                    "complete",
                    CallbackBodies.complete(
                            callerJobId, Duration.between(started, now), queue.documents(job.id()), now));
            return;
        }
        String error = job.status() == JobStatus.CANCELED
                ? "the job was canceled"
                : job.lastError() == null ? "the job ended " + job.status().wireName() : job.lastError();
        send(target, "error", CallbackBodies.error(callerJobId, error, now));
    }

    private void send(CallbackTarget target, String what, byte[] body) {
        Delivery delivery = client.post(target, what, body, HttpDefaults.CALLBACK_RETRIES + 1);
        if (!delivery.delivered()) {
            LOG.warn("{} callback to {} not delivered: {}", what, target.describe(), delivery.problem());
        }
    }

    @Override
    public void close() {
        closed = true;
        relays.values().forEach(Thread::interrupt);
    }
}
