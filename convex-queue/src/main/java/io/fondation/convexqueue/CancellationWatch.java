package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexSubscription;
import io.fondation.convexqueue.client.SubscriptionListener;
import io.fondation.shared.QueueWatch;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@link io.fondation.shared.JobQueue#watchCancellation} over a subscription to one job: calls the listener once,
 * on the client's sync thread, as soon as a pushed value says cancellation was requested. What it logs there carries
 * the log fields (MDC: the job's id and attempt) of the thread that started the watch, the job's.
 */
final class CancellationWatch implements QueueWatch {

    private static final Logger LOG = LoggerFactory.getLogger(CancellationWatch.class);

    private final String jobId;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile ConvexSubscription subscription;

    private CancellationWatch(String jobId) {
        this.jobId = jobId;
    }

    static CancellationWatch start(
            ConvexClient client, String jobId, WatchQuery<Boolean> query, Runnable onCancelRequested) {
        CancellationWatch watch = new CancellationWatch(jobId);
        Map<String, String> logFields = MDC.getCopyOfContextMap();
        watch.subscription = client.subscribe(query.path(), query.args(), new SubscriptionListener() {
            @Override
            public void onUpdate(JsonNode value) {
                if (Boolean.TRUE.equals(query.reader().apply(value)) && watch.fired.compareAndSet(false, true)) {
                    withLogFields(logFields, () -> {
                        LOG.info("cancellation of job {} pushed", jobId);
                        try {
                            onCancelRequested.run();
                        } catch (RuntimeException e) {
                            LOG.warn("the cancellation listener of job {} failed", jobId, e);
                        }
                    });
                }
            }

            @Override
            public void onError(ConvexException error) {
                withLogFields(
                        logFields,
                        () -> LOG.warn(
                                "the pushed state of job {} ({}) failed: {}; its heartbeat still reports cancellation",
                                jobId,
                                query.path(),
                                error.getMessage()));
            }
        });
        return watch;
    }

    /** Runs {@code body} with {@code fields} as the thread's MDC, then puts the thread's own back. */
    private static void withLogFields(Map<String, String> fields, Runnable body) {
        Map<String, String> previous = MDC.getCopyOfContextMap();
        if (fields != null) {
            MDC.setContextMap(fields);
        }
        try {
            body.run();
        } finally {
            if (previous == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previous);
            }
        }
    }

    @Override
    public boolean isLive() {
        ConvexSubscription current = subscription;
        return current != null && current.isLive();
    }

    @Override
    public void close() {
        ConvexSubscription current = subscription;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public String toString() {
        return "CancellationWatch[" + jobId + (isLive() ? ", live" : "") + "]";
    }
}
