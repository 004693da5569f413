package io.fondation.engine.metrics;

import io.fondation.shared.DepthCounts;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
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
 *
 * <p>With them, the depth an autoscaler scales on ({@link JobQueue#depth}, sampled at the same pace): {@value
 * #DEPTH} tagged {@code count} ({@code pending}, {@code due}, {@code running}, {@code paused}) and {@value #WANTED}
 * ({@code due + running}, the job slots wanted); NaN likewise until known, and absent for a queue that cannot count
 * its depth. A capped count is the backend's limit (it means "at least").
 */
public final class QueueDepth implements AutoCloseable {

    /** The gauges' name ({@code fondation_queue_jobs} in Prometheus). */
    public static final String NAME = "fondation.queue.jobs";

    /** The depth gauges' name ({@code fondation_queue_depth} in Prometheus), tagged {@code count}. */
    public static final String DEPTH = "fondation.queue.depth";

    /** The job slots wanted, {@code due + running} ({@code fondation_queue_depth_wanted} in Prometheus). */
    public static final String WANTED = "fondation.queue.depth.wanted";

    private static final Logger LOG = LoggerFactory.getLogger(QueueDepth.class);

    private final JobQueue queue;
    private final MeterRegistry registry;
    private final Clock clock;
    private final List<Gauge> gauges = new ArrayList<>();
    private final List<Gauge> depthGauges = new ArrayList<>();
    private final AtomicReference<Map<JobStatus, Long>> last = new AtomicReference<>();
    private final AtomicReference<DepthCounts> lastDepth = new AtomicReference<>();
    private boolean counting = true;
    private boolean depthCounting = true;
    private final ScheduledExecutorService sampler;
    private volatile boolean failing;

    private QueueDepth(JobQueue queue, MeterRegistry registry, Clock clock) {
        this.queue = queue;
        this.registry = registry;
        this.clock = clock;
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
        return start(queue, registry, interval, Clock.systemUTC());
    }

    /**
     * {@link #start(JobQueue, MeterRegistry, Duration)} measuring "due" and "expired" with {@code clock}.
     *
     * @param clock the instant each depth sample is asked for
     */
    public static QueueDepth start(JobQueue queue, MeterRegistry registry, Duration interval, Clock clock) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(registry, "registry");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        QueueDepth depth = new QueueDepth(queue, registry, clock);
        for (JobStatus status : JobStatus.values()) {
            depth.gauges.add(Gauge.builder(NAME, depth, d -> d.count(status))
                    .description("Jobs in the queue by status, as the worker last counted them")
                    .tag("status", status.wireName())
                    .register(registry));
        }
        for (DepthCounts.Count count : DepthCounts.Count.values()) {
            depth.depthGauges.add(Gauge.builder(DEPTH, depth, d -> d.depth(count))
                    .description("The queue's depth an autoscaler scales on (pending, due, running, paused), as the"
                            + " worker last counted it")
                    .tag("count", count.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        depth.depthGauges.add(Gauge.builder(WANTED, depth, QueueDepth::wanted)
                .description("Job slots wanted (due + running): divided by MAX_CONCURRENT_JOBS, the workers wanted")
                .register(registry));
        depth.sampler.scheduleWithFixedDelay(depth::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return depth;
    }

    /** The last count of {@code status}, or NaN when none is known (no sample yet, or a status the queue does not count). */
    double count(JobStatus status) {
        Map<JobStatus, Long> counts = last.get();
        Long count = counts == null ? null : counts.get(status);
        return count == null ? Double.NaN : count;
    }

    /** The last depth count, or NaN when none is known. */
    double depth(DepthCounts.Count count) {
        DepthCounts counts = lastDepth.get();
        if (counts == null) {
            return Double.NaN;
        }
        return switch (count) {
            case PENDING -> counts.pending();
            case DUE -> counts.due();
            case RUNNING -> counts.running();
            case PAUSED -> counts.paused();
        };
    }

    double wanted() {
        DepthCounts counts = lastDepth.get();
        return counts == null ? Double.NaN : counts.wanted();
    }

    /** The last depth sample, empty while none is known. */
    public Optional<DepthCounts> lastDepth() {
        return Optional.ofNullable(lastDepth.get());
    }

    private void sample() {
        if (counting) {
            sampleCounts();
        }
        if (depthCounting) {
            sampleDepth();
        }
        if (!counting && !depthCounting) {
            sampler.shutdown();
        }
    }

    private void sampleDepth() {
        try {
            Optional<DepthCounts> counts = queue.depth(clock.instant());
            if (counts.isEmpty()) {
                LOG.info("the queue cannot count its depth; no {} metrics", DEPTH);
                depthGauges.forEach(registry::remove);
                depthCounting = false;
                return;
            }
            lastDepth.set(counts.get());
        } catch (RuntimeException e) {
            // why no log: sampleCounts says when the queue cannot be counted; a depth error alone is rare (logged once)
            if (lastDepth.getAndSet(null) != null) {
                LOG.warn("cannot count the queue's depth: {}", e.toString());
            }
        }
    }

    private void sampleCounts() {
        try {
            Optional<Map<JobStatus, Long>> counts = queue.countByStatus();
            if (counts.isEmpty()) {
                LOG.info("the queue cannot count its jobs; no queue depth metrics");
                gauges.forEach(registry::remove);
                counting = false;
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
