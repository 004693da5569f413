package io.fondation.engine.metrics;

import io.fondation.shared.JobQueue;
import io.fondation.shared.JobStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue depth gauges, {@value #NAME} tagged {@code status} (one per {@link JobStatus}): the queue's
 * {@link JobQueue#countByStatus()} sampled on a thread of its own every {@code interval}, so that a scrape only
 * reads the last sample and never waits on the queue. Every worker reports the same queue, so dashboards take
 * the {@code max} across workers. A gauge is NaN until the first sample, while the queue cannot be counted, and for
 * a status the queue does not count (the existing Convex functions count only pending, claimed, completed, failed and
 * dead); a queue that cannot count at all gets no gauges.
 */
public final class QueueDepth implements AutoCloseable {

    /** The gauges' name ({@code fondation_queue_jobs} in Prometheus). */
    public static final String NAME = "fondation.queue.jobs";

    private static final Logger LOG = LoggerFactory.getLogger(QueueDepth.class);

    private final JobQueue queue;
    private final MeterRegistry registry;
    private final List<Gauge> gauges = new ArrayList<>();
    private final AtomicReference<Map<JobStatus, Long>> last = new AtomicReference<>();
    private final ScheduledExecutorService sampler;
    private volatile boolean failing;

    private QueueDepth(JobQueue queue, MeterRegistry registry) {
        this.queue = queue;
        this.registry = registry;
        this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fondation-queue-depth");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Registers the gauges in {@code registry} and samples now (in the background) and every {@code interval}.
     *
     * @param interval the time between two counts: seconds for an embedded queue, a minute for Convex
     */
    public static QueueDepth start(JobQueue queue, MeterRegistry registry, Duration interval) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(registry, "registry");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        QueueDepth depth = new QueueDepth(queue, registry);
        for (JobStatus status : JobStatus.values()) {
            depth.gauges.add(Gauge.builder(NAME, depth, d -> d.count(status))
                    .description("Jobs in the queue by status, as the worker last counted them")
                    .tag("status", status.wireName())
                    .register(registry));
        }
        depth.sampler.scheduleWithFixedDelay(depth::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return depth;
    }

    /** The last count of {@code status}, or NaN when none is known (no sample yet, or a status the queue does not count). */
    double count(JobStatus status) {
        Map<JobStatus, Long> counts = last.get();
        Long count = counts == null ? null : counts.get(status);
        return count == null ? Double.NaN : count;
    }

    private void sample() {
        try {
            Optional<Map<JobStatus, Long>> counts = queue.countByStatus();
            if (counts.isEmpty()) {
                LOG.info("the queue cannot count its jobs; no queue depth metrics");
                gauges.forEach(registry::remove);
                sampler.shutdown();
                return;
            }
            last.set(new EnumMap<>(counts.get()));
            if (failing) {
                failing = false;
                LOG.info("counting the queue's jobs works again");
            }
        } catch (RuntimeException e) {
            // Stale numbers would mislead a dashboard: NaN until a count succeeds again.
            last.set(null);
            if (!failing) {
                failing = true;
                LOG.warn("cannot count the queue's jobs for the queue depth metrics: {}", e.toString());
            }
        }
    }

    /** Stops sampling. */
    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
