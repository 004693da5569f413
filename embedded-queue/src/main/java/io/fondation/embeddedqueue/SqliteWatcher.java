package io.fondation.embeddedqueue;

import io.fondation.shared.JobLease;
import io.fondation.shared.QueueWatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded queue's push: tells workers of new work and of cancellations without their polling the jobs.
 *
 * <ul>
 *   <li>A change made through this process's queue (an enqueue, a release, a retry scheduled, a cancellation) is
 *       told at once.
 *   <li>A change another process committed to the same file is noticed by {@code PRAGMA data_version}, which
 *       SQLite changes for a connection whenever another connection commits: one cheap statement every
 *       {@code interval} (100 ms by default), no table read unless it changed.
 *   <li>Work that becomes due later (a retry's {@code run_at}, a lease running out) is told when the time comes:
 *       after each change the watcher reads the earliest such time once, through the indexes.
 * </ul>
 * One daemon thread per queue, started by the first subscription, ended by {@link #close()}.
 */
final class SqliteWatcher implements AutoCloseable {

    static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(SqliteWatcher.class);

    private final SqliteConnection db;
    private final Clock clock;
    private final Duration interval;
    private final List<Runnable> workListeners = new CopyOnWriteArrayList<>();
    private final Map<String, Cancellation> cancellations = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean localChange;
    private boolean closed;
    private Thread thread;

    private record Cancellation(JobLease lease, Runnable listener) {}

    SqliteWatcher(SqliteConnection db, Clock clock, Duration interval) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    QueueWatch watchWork(Runnable listener) {
        workListeners.add(listener);
        start();
        return new Subscription(() -> workListeners.remove(listener));
    }

    QueueWatch watchCancellation(JobLease lease, Runnable listener) {
        String key = lease.jobId() + "\u0000" + lease.token();
        cancellations.put(key, new Cancellation(lease, listener));
        start();
        return new Subscription(() -> cancellations.remove(key));
    }

    /** This process changed the jobs: look now rather than at the next tick. */
    void changedHere() {
        lock.lock();
        try {
            localChange = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private synchronized void start() {
        if (thread != null || closed) {
            return;
        }
        thread = new Thread(this::run, "fondation-sqlite-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long lastVersion = Long.MIN_VALUE;
        long nextDueMillis = Long.MAX_VALUE;
        while (true) {
            boolean local;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (!localChange) {
                    changed.awaitNanos(interval.toNanos());
                }
                if (closed) {
                    return;
                }
                local = localChange;
                localChange = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                long version = db.read("watch the queue", SqliteWatcher::dataVersion);
                boolean change = local || version != lastVersion;
                lastVersion = version;
                long now = clock.millis();
                if (change) {
                    nextDueMillis = db.read("find the next due time", SqliteWatcher::nextDue);
                    tellWork();
                    checkCancellations();
                } else if (now >= nextDueMillis) {
                    // why: a retry came due or a lease ran out; say it once, then look for the next time.
                    nextDueMillis = db.read("find the next due time", connection -> nextDueAfter(connection, now));
                    tellWork();
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.debug("watching the embedded queue failed; trying again: {}", e.toString());
                }
            }
        }
    }

    private void tellWork() {
        for (Runnable listener : workListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a work listener failed", e);
            }
        }
    }

    private void checkCancellations() {
        if (cancellations.isEmpty()) {
            return;
        }
        List<Cancellation> watched = new ArrayList<>(cancellations.values());
        List<String> canceled = db.read("check cancellations", connection -> canceledJobs(connection, watched));
        for (Cancellation cancellation : watched) {
            if (canceled.contains(cancellation.lease().jobId())
                    && cancellations.remove(cancellation.lease().jobId() + "\u0000"
                                    + cancellation.lease().token())
                            != null) {
                try {
                    cancellation.listener().run();
                } catch (RuntimeException e) {
                    LOG.warn("a cancellation listener failed", e);
                }
            }
        }
    }

    private static long dataVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA data_version")) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    /** The earliest future moment a claim could newly succeed: a pending job's run_at or a lease's end. */
    private static long nextDue(Connection connection) throws SQLException {
        return nextDueAfter(connection, Long.MIN_VALUE);
    }

    private static long nextDueAfter(Connection connection, long after) throws SQLException {
        long runAt = single(connection, "SELECT MIN(run_at) FROM jobs WHERE status = 'pending' AND run_at > ?", after);
        long leaseEnd = single(
                connection,
                "SELECT MIN(lease_until) FROM jobs WHERE lease_until IS NOT NULL AND lease_until > ? AND status IN "
                        + SqliteSchema.LEASED,
                after);
        return Math.min(runAt, leaseEnd);
    }

    private static long single(Connection connection, String sql, long after) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, after);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    long value = row.getLong(1);
                    return row.wasNull() ? Long.MAX_VALUE : value;
                }
                return Long.MAX_VALUE;
            }
        }
    }

    private static List<String> canceledJobs(Connection connection, List<Cancellation> watched) throws SQLException {
        List<String> canceled = new ArrayList<>();
        try (PreparedStatement select =
                connection.prepareStatement("SELECT cancel_requested FROM jobs WHERE id = ? AND lease_token = ?")) {
            for (Cancellation cancellation : watched) {
                select.setString(1, cancellation.lease().jobId());
                select.setString(2, cancellation.lease().token());
                try (ResultSet row = select.executeQuery()) {
                    if (row.next() && row.getInt(1) != 0) {
                        canceled.add(cancellation.lease().jobId());
                    }
                }
            }
        }
        return canceled;
    }

    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A subscription; live while the watcher runs. */
    private final class Subscription implements QueueWatch {
        private final Runnable remove;
        private volatile boolean open = true;

        Subscription(Runnable remove) {
            this.remove = remove;
        }

        @Override
        public boolean isLive() {
            return open && !closed;
        }

        @Override
        public void close() {
            open = false;
            remove.run();
        }
    }
}
