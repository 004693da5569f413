package io.fondation.convexqueue;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code queue:reclaimExpired} of the legacy functions on a schedule, since the existing deployment never
 * does: every quarter of the lease the worker claims with, at least a second and at most a minute apart. Started
 * by the first claim (which tells the lease), on one daemon thread; {@link #close()} stops it. A crashed worker's
 * job is therefore pending again at most {@link #period(Duration)} after its lease ran out, with one attempt spent
 * (the function's own doing: {@code attempts + 1}, {@code lastError 'Lease expired - worker likely crashed'}).
 */
final class ExpiredLeaseReclaimer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredLeaseReclaimer.class);
    static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    static final Duration MAX_PERIOD = Duration.ofMinutes(1);

    private final IntSupplier reclaim;
    private final String url;
    private ScheduledExecutorService executor;
    private boolean closed;
    /** Whether the last run failed (only the first failure of a streak is a WARN). */
    private volatile boolean failing;

    /**
     * @param reclaim one {@code queue:reclaimExpired} call; answers how many jobs went back to pending
     * @param url the deployment, for messages
     */
    ExpiredLeaseReclaimer(IntSupplier reclaim, String url) {
        this.reclaim = reclaim;
        this.url = url;
    }

    /** The time between two runs for leases of {@code lease}: a quarter of it, from 1 s to 1 min. */
    static Duration period(Duration lease) {
        Duration quarter = lease.dividedBy(4);
        if (quarter.compareTo(MIN_PERIOD) < 0) {
            return MIN_PERIOD;
        }
        return quarter.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD : quarter;
    }

    /** Starts the schedule for leases of {@code lease}, unless it runs already (the first lease sets the period). */
    synchronized void start(Duration lease) {
        if (executor != null || closed) {
            return;
        }
        Duration period = period(lease);
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "convex-lease-reclaimer");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::runOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info(
                "Convex queue at {}: reclaiming expired leases with queue:reclaimExpired every {} s (CONVEX_DEPLOY_KEY)",
                url,
                period.toMillis() / 1000.0);
    }

    private void runOnce() {
        try {
            int reclaimed = reclaim.getAsInt();
            if (failing) {
                LOG.info("queue:reclaimExpired at {} works again", url);
                failing = false;
            }
            if (reclaimed > 0) {
                LOG.info("{}", LegacyProtocol.reclaimed(reclaimed));
            }
        } catch (RuntimeException e) {
            // Never let the schedule die; the next run tries again.
            if (isClosed()) {
                return; // interrupted by close()
            }
            if (!failing) {
                LOG.warn("queue:reclaimExpired at {} failed (will try again): {}", url, e.getMessage());
                failing = true;
            } else {
                LOG.debug("queue:reclaimExpired at {} still fails: {}", url, e.getMessage());
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Whether the schedule runs. */
    synchronized boolean isRunning() {
        return executor != null && !executor.isShutdown();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
