package io.fondation.embeddedqueue;

import io.fondation.shared.Backoff;
import io.fondation.shared.JobQueueException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite connection, used by one thread at a time, with write transactions that take the
 * database's write lock up front ({@code BEGIN IMMEDIATE}) and are retried while another process
 * holds it.
 *
 * <p>Why one connection behind a lock rather than a pool: SQLite runs one write transaction at a
 * time per database whatever the number of connections, and every queue operation is a short
 * transaction, so a pool would add no write throughput, only {@code SQLITE_BUSY} contention between
 * threads of the same process. An in-memory database also lives in exactly one connection. Between
 * processes, the database's own locking serialises writers: {@code BEGIN IMMEDIATE} waits up to the
 * busy timeout and is then retried with a bounded backoff.
 */
final class SqliteConnection implements AutoCloseable {

    /** How long SQLite itself waits for a lock held by another connection before reporting busy. */
    static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);

    /** How long a write keeps retrying after busy reports before giving up. */
    static final Duration RETRY_BUDGET = Duration.ofSeconds(30);

    /** The pauses between the tries of a busy write: 5 ms doubling up to 250 ms (SQLite's busy timeout waited first). */
    static final Backoff BUSY_BACKOFF = Backoff.doubling(Duration.ofMillis(5), Duration.ofMillis(250));

    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    /** A unit of work on the connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws SQLException;
    }

    private final Connection connection;
    private final String description;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private SqliteConnection(Connection connection, String description) {
        this.connection = connection;
        this.description = description;
    }

    /**
     * Opens {@code url}.
     *
     * @param description how error messages name the database (a file path or "in-memory")
     * @param wal whether to switch the database to write-ahead logging (files only)
     */
    static SqliteConnection open(String url, String description, boolean wal) {
        return open(url, description, wal, BUSY_TIMEOUT);
    }

    /**
     * {@link #open(String, String, boolean)} with another busy timeout (tests).
     *
     * @param busyTimeout how long SQLite itself waits for a lock another connection holds, in each try
     */
    static SqliteConnection open(String url, String description, boolean wal, Duration busyTimeout) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) busyTimeout.toMillis());
        config.enforceForeignKeys(true);
        // NORMAL is durable against a crash of the process in WAL mode, and much faster than FULL.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        Connection connection;
        try {
            connection = DriverManager.getConnection(url, config.toProperties());
        } catch (SQLException e) {
            throw new JobQueueException(
                    "cannot open the embedded queue " + description + ": " + e.getMessage(), false, e);
        }
        SqliteConnection sqlite = new SqliteConnection(connection, description);
        if (wal) {
            try {
                sqlite.withRetries("enable write-ahead logging", () -> {
                    try (Statement statement = connection.createStatement();
                            ResultSet mode = statement.executeQuery("PRAGMA journal_mode=WAL")) {
                        return mode.next() ? mode.getString(1) : null;
                    }
                });
            } catch (RuntimeException e) {
                sqlite.close();
                throw e;
            }
        }
        return sqlite;
    }

    /**
     * Runs {@code work} in a write transaction holding the database's write lock, committing when it
     * returns and rolling back when it throws. Retried as a whole while the database is busy.
     */
    <T> T write(String operation, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return withRetries(operation, () -> transaction(work));
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #write}, tried once: when another process holds the write lock past the busy timeout, a transient
     * {@link JobQueueException} at once, no retry. For the calls whose caller decides when to try again (the
     * heartbeat, which knows the lease deadline: {@link io.fondation.shared.JobQueue#heartbeat}).
     */
    <T> T writeOnce(String operation, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return once(operation, () -> transaction(work));
        } finally {
            lock.unlock();
        }
    }

    /** Runs a read (single statements in auto-commit mode). */
    <T> T read(String operation, Work<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return withRetries(operation, () -> work.run(connection));
        } finally {
            lock.unlock();
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        execute("BEGIN IMMEDIATE");
        try {
            T result = work.run(connection);
            execute("COMMIT");
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        }
    }

    private <T> T once(String operation, Attempt<T> attempt) {
        try {
            return attempt.run();
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private <T> T withRetries(String operation, Attempt<T> attempt) {
        long deadline = System.nanoTime() + RETRY_BUDGET.toNanos();
        Backoff.Sequence pauses = BUSY_BACKOFF.sequence();
        while (true) {
            try {
                return attempt.run();
            } catch (SQLException e) {
                Duration pause = pauses.next();
                if (!isBusy(e) || System.nanoTime() + pause.toNanos() > deadline) {
                    throw failure(operation, e);
                }
                pause(operation, pause);
            }
        }
    }

    private JobQueueException failure(String operation, SQLException e) {
        return new JobQueueException(
                operation + " failed on the embedded queue " + description + ": " + e.getMessage(), isBusy(e), e);
    }

    private void pause(String operation, Duration pause) {
        try {
            // A bounded backoff between retries of a busy database; SQLite's busy timeout has already waited.
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobQueueException(operation + " was interrupted while the embedded queue was busy", true, e);
        }
    }

    static boolean isBusy(SQLException e) {
        int primary = e.getErrorCode() & 0xFF;
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    // Only called after BEGIN succeeded. If SQLite already rolled back by itself (some errors do),
    // ROLLBACK reports "no transaction is active"; that is kept as a suppressed detail.
    private void rollbackQuietly(Exception cause) {
        try {
            execute("ROLLBACK");
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new JobQueueException("the embedded queue " + description + " is closed", false);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                connection.close();
            }
        } catch (SQLException e) {
            throw new JobQueueException(
                    "closing the embedded queue " + description + " failed: " + e.getMessage(), false, e);
        } finally {
            lock.unlock();
        }
    }
}
