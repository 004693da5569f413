package io.fondation.embeddedqueue;

import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pause for the fleet per LLM credential (issue 22), in the table {@code llm_pauses}: the same rules as the
 * Convex functions' {@code convex/lib/pauses.ts}, which this class copies constant for constant.
 *
 * <p>When an analyzer meets a rate limit (429) or an overload (529), its worker records a pause for the credential's
 * fingerprint: no claim naming it gets a job until the pause ends. Then one claim (the probe) gets a job; the others
 * still get nothing until the probe's worker reports a new limit, clears the pause, or {@link #PROBE_WINDOW} ends.
 * Length: the retry-after, else 60 s for a rate limit and 30 s for an overload; doubled for each limit met in a row
 * (within {@link #STREAK} of the previous pause's end), capped at {@link #MAX_PAUSE} but never shorter than the
 * retry-after (itself capped at {@link #MAX_RETRY_AFTER}), plus up to 10 % of jitter. A limit met while the pause
 * holds adds no strike; a longer retry-after lengthens the pause. Every method runs inside the caller's transaction.
 */
final class SqlitePauses {

    static final Duration DEFAULT_RATE_LIMIT_PAUSE = Duration.ofSeconds(60);
    static final Duration DEFAULT_OVERLOAD_PAUSE = Duration.ofSeconds(30);
    static final Duration MAX_PAUSE = Duration.ofMinutes(15);
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(6);
    static final Duration STREAK = Duration.ofMinutes(10);
    static final Duration PROBE_WINDOW = Duration.ofSeconds(60);
    static final double PAUSE_JITTER = 0.1;

    private static final String COLUMNS = "credential, kind, until, strikes, since, retry_after_ms, probe_until,"
            + " probe_by, probe_job_id, recorded_by, updated_at";

    /** A row of {@code llm_pauses}; times in epoch milliseconds. */
    record Row(
            String credential,
            LlmLimitKind kind,
            long until,
            int strikes,
            long since,
            Long retryAfterMs,
            Long probeUntil,
            String probeBy,
            String recordedBy,
            long updatedAt) {

        /** Whether a probe was handed out after the pause's end (its window may be over). */
        boolean probeStarted() {
            return probeUntil != null && probeUntil > until;
        }

        /** When claims for the credential may resume, or empty when they may now. */
        Optional<Long> blockedUntil(long now) {
            if (now < until) {
                return Optional.of(until);
            }
            if (probeStarted() && now < probeUntil) {
                return Optional.of(probeUntil);
            }
            return Optional.empty();
        }

        /** Whether the next claim for this credential is the probe. */
        boolean probeDue(long now) {
            return now >= until && !probeStarted();
        }

        /** What readers see: {@code resumesAt} is the pause's end, or once a probe went out the end of its window. */
        LlmPause view() {
            boolean probing = probeStarted();
            return new LlmPause(
                    credential,
                    kind,
                    Instant.ofEpochMilli(until),
                    Instant.ofEpochMilli(probing ? probeUntil : until),
                    strikes,
                    Instant.ofEpochMilli(since),
                    retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                    probing ? Instant.ofEpochMilli(probeUntil) : null,
                    probing ? probeBy : null,
                    recordedBy,
                    Instant.ofEpochMilli(updatedAt));
        }
    }

    private SqlitePauses() {}

    /** The retry-after in whole milliseconds, capped at {@link #MAX_RETRY_AFTER}; null stays null. */
    static Long retryAfterMs(Duration retryAfter) {
        if (retryAfter == null) {
            return null;
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        return Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
    }

    static Optional<Row> read(Connection connection, String credential) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT " + COLUMNS + " FROM llm_pauses WHERE credential = ?")) {
            select.setString(1, credential);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row(row)) : Optional.empty();
            }
        }
    }

    /** The pauses whose claims still wait at {@code now}, the latest first. */
    static List<LlmPause> inForce(Connection connection, long now) throws SQLException {
        List<LlmPause> pauses = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM llm_pauses WHERE until > ? OR probe_until > ? ORDER BY until DESC")) {
            select.setLong(1, now);
            select.setLong(2, now);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Row pause = row(row);
                    if (pause.blockedUntil(now).isPresent()) {
                        pauses.add(pause.view());
                    }
                }
            }
        }
        return pauses;
    }

    /** The pause length before jitter for the {@code strikes}-th limit in a row. */
    static long lengthMs(LlmLimitKind kind, int strikes, Long retryAfterMs) {
        long base = retryAfterMs != null
                ? retryAfterMs
                : (kind == LlmLimitKind.OVERLOADED ? DEFAULT_OVERLOAD_PAUSE : DEFAULT_RATE_LIMIT_PAUSE).toMillis();
        int doublings = Math.min(Math.max(strikes - 1, 0), 20);
        long grown = Math.min(base * (1L << doublings), MAX_PAUSE.toMillis());
        return Math.max(grown, retryAfterMs == null ? 0 : retryAfterMs);
    }

    /**
     * Records a limit met with {@code credential} at {@code now} and returns the pause in force.
     *
     * @param random a number in {@code [0, 1)} drawing the jitter
     */
    static Row recordLimit(
            Connection connection,
            String credential,
            LlmLimitKind kind,
            Long retryAfterMs,
            String workerId,
            long now,
            double random)
            throws SQLException {
        Optional<Row> found = read(connection, credential);
        if (found.isPresent() && now < found.get().until()) {
            // Still paused: a job that was running when the pause began met the same limit. No strike; a longer
            // retry-after than the pause has left lengthens it.
            Row pause = found.get();
            long wanted = retryAfterMs == null ? pause.until() : now + retryAfterMs;
            if (wanted > pause.until()) {
                SqliteJobQueue.update(
                        connection,
                        "UPDATE llm_pauses SET until = ?, retry_after_ms = ?, recorded_by = ?, updated_at = ?"
                                + " WHERE credential = ?",
                        wanted,
                        retryAfterMs,
                        workerId,
                        now,
                        credential);
            } else {
                SqliteJobQueue.update(
                        connection,
                        "UPDATE llm_pauses SET recorded_by = ?, updated_at = ? WHERE credential = ?",
                        workerId,
                        now,
                        credential);
            }
            return read(connection, credential).orElseThrow();
        }
        boolean streak = found.isPresent() && now - found.get().until() <= STREAK.toMillis();
        int strikes = streak ? found.get().strikes() + 1 : 1;
        long length = lengthMs(kind, strikes, retryAfterMs);
        long jitter = (long) Math.floor(random * PAUSE_JITTER * length);
        SqliteJobQueue.update(
                connection,
                "INSERT INTO llm_pauses (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)"
                        + " ON CONFLICT (credential) DO UPDATE SET kind = excluded.kind, until = excluded.until,"
                        + " strikes = excluded.strikes, since = excluded.since,"
                        + " retry_after_ms = excluded.retry_after_ms, probe_until = NULL, probe_by = NULL,"
                        + " probe_job_id = NULL, recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
                credential,
                kind.wireName(),
                now + length + jitter,
                strikes,
                streak ? found.get().since() : now,
                retryAfterMs,
                workerId,
                now);
        return read(connection, credential).orElseThrow();
    }

    /** Hands the probe to the claim of {@code workerId}, which took {@code jobId}. */
    static void startProbe(Connection connection, String credential, long now, String workerId, String jobId)
            throws SQLException {
        SqliteJobQueue.update(
                connection,
                "UPDATE llm_pauses SET probe_until = ?, probe_by = ?, probe_job_id = ?, updated_at = ?"
                        + " WHERE credential = ?",
                now + PROBE_WINDOW.toMillis(),
                workerId,
                jobId,
                now,
                credential);
    }

    /** Deletes the pause once its time is over; a pause in force is kept. */
    static boolean clear(Connection connection, String credential, long now) throws SQLException {
        Optional<Row> pause = read(connection, credential);
        if (pause.isEmpty() || now < pause.get().until()) {
            return false;
        }
        SqliteJobQueue.update(connection, "DELETE FROM llm_pauses WHERE credential = ?", credential);
        return true;
    }

    private static Row row(ResultSet row) throws SQLException {
        return new Row(
                row.getString("credential"),
                LlmLimitKind.fromWire(row.getString("kind")),
                row.getLong("until"),
                row.getInt("strikes"),
                row.getLong("since"),
                nullableLong(row, "retry_after_ms"),
                nullableLong(row, "probe_until"),
                row.getString("probe_by"),
                row.getString("recorded_by"),
                row.getLong("updated_at"));
    }

    private static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
