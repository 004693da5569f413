package io.fondation.embeddedqueue;

import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The tables of the embedded queue. The {@code jobs} columns mirror the fields of the Convex
 * {@code jobs} table that a queue needs, plus the lease token used for fencing and, once the job completed, the
 * token its completion was made with ({@code completed_by}); times are milliseconds since the epoch, as in Convex.
 *
 * <p>Versions: 1, the first; 2, {@code attempts} counts the attempts started (the claim adds one) instead of those
 * ended, and ended jobs hold no lock ({@code completed_by} keeps a completion's token); 3, checkpoints: the tables
 * {@code checkpoints} (one row per job: what its files were made from, the lease that holds it, whether it is
 * finished) and {@code checkpoint_files} (one row per file), and a trigger that deletes a job's checkpoint as soon as
 * the job ends, whatever ends it. Opening a version 1 file migrates it: a job held or canceled mid-attempt counts its
 * running attempt, ended jobs lose their stale locks; opening a version 1 or 2 file adds the checkpoint tables.
 *
 * <p>Version 4 (issue 22, the fleet rules): {@code jobs} gains {@code user_key} (whose turn the job waits for;
 * {@code anonymous} when it names no user), {@code priority}, {@code cost_micros} (what its attempts cost in all, in
 * micro-dollars), {@code max_cost_micros} (its own cap), {@code cost_limit_micros} (the cap its last claim set: its
 * own, else the claiming worker's default) and {@code rate_limited_releases}; the table {@code queue_lanes} keeps one
 * row per user key with the stamp of its last claim (whose turn it is); {@code llm_pauses} one row per paused LLM
 * credential fingerprint. Opening an older file adds the columns (existing jobs are the anonymous user's, priority 0,
 * no cost) and a lane for every user key.
 */
final class SqliteSchema {

    /** Stored in {@code PRAGMA user_version}; a file written by a newer version is refused. */
    static final int VERSION = 4;

    static final String TERMINAL = inList(JobStatus::isTerminal);
    static final String LEASED = inList(JobStatus::isLeased);

    private static final List<String> DDL = List.of(
            """
            CREATE TABLE IF NOT EXISTS jobs (
              id               TEXT PRIMARY KEY,
              status           TEXT NOT NULL CHECK (status IN %s),
              source_url       TEXT,
              source_full_name TEXT,
              source_branch    TEXT,
              prompt           TEXT NOT NULL,
              attempts         INTEGER NOT NULL DEFAULT 0,
              max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
              run_at           INTEGER NOT NULL,
              locked_by        TEXT,
              lease_until      INTEGER,
              lease_token      TEXT,
              progress_message TEXT,
              current_step     INTEGER,
              total_steps      INTEGER,
              last_error       TEXT,
              result           TEXT,
              docs_count       INTEGER NOT NULL DEFAULT 0,
              cancel_requested INTEGER NOT NULL DEFAULT 0,
              dedupe_key       TEXT,
              created_at       INTEGER NOT NULL,
              updated_at       INTEGER NOT NULL,
              completed_at     INTEGER,
              completed_by     TEXT,
              user_key              TEXT NOT NULL DEFAULT 'anonymous',
              priority              INTEGER NOT NULL DEFAULT 0,
              cost_micros           INTEGER NOT NULL DEFAULT 0,
              max_cost_micros       INTEGER,
              cost_limit_micros     INTEGER,
              rate_limited_releases INTEGER NOT NULL DEFAULT 0
            )""".formatted(inList(status -> true)),
            "CREATE INDEX IF NOT EXISTS jobs_by_status_run_at ON jobs (status, run_at)",
            "CREATE INDEX IF NOT EXISTS jobs_by_lease_until ON jobs (lease_until) WHERE lease_until IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS jobs_by_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS jobs_by_created_at ON jobs (created_at)",
            """
            CREATE TABLE IF NOT EXISTS documents (
              job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
              slug          TEXT NOT NULL,
              title         TEXT NOT NULL,
              chapter_index INTEGER,
              kind          TEXT NOT NULL,
              content       TEXT NOT NULL,
              created_at    INTEGER NOT NULL,
              updated_at    INTEGER NOT NULL,
              PRIMARY KEY (job_id, slug)
            )""",
            // why: holder_token is the lease that last opened or wrote the checkpoint (CheckpointFence); the basis
            // columns are NULL until a first file is saved
            """
            CREATE TABLE IF NOT EXISTS checkpoints (
              job_id             TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
              holder_token       TEXT NOT NULL,
              commit_id          TEXT,
              analyzer_kind      TEXT,
              analyzer_version   TEXT,
              model              TEXT,
              prompt_fingerprint TEXT,
              finished           INTEGER NOT NULL DEFAULT 0,
              updated_at         INTEGER NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS checkpoints_by_updated_at ON checkpoints (updated_at)",
            """
            CREATE TABLE IF NOT EXISTS checkpoint_files (
              job_id   TEXT NOT NULL REFERENCES checkpoints (job_id) ON DELETE CASCADE,
              path     TEXT NOT NULL,
              content  TEXT NOT NULL,
              sha256   TEXT NOT NULL,
              bytes    INTEGER NOT NULL,
              saved_at INTEGER NOT NULL,
              PRIMARY KEY (job_id, path)
            )""",
            // why: a trigger rather than a call in each ending path: completion, failure, an expired last lease,
            // a cancellation and an invalid job all end a job, and a checkpoint must not outlive any of them
            """
            CREATE TRIGGER IF NOT EXISTS checkpoints_end_with_their_job AFTER UPDATE OF status ON jobs
            WHEN NEW.status IN %s
            BEGIN
              DELETE FROM checkpoints WHERE job_id = NEW.id;
            END""".formatted(inList(JobStatus::isTerminal)));

    /** Version 4's columns, added to an older {@code jobs} table (a new one is created with them). */
    private static final List<String> VERSION_4_COLUMNS = List.of(
            "user_key TEXT NOT NULL DEFAULT 'anonymous'",
            "priority INTEGER NOT NULL DEFAULT 0",
            "cost_micros INTEGER NOT NULL DEFAULT 0",
            "max_cost_micros INTEGER",
            "cost_limit_micros INTEGER",
            "rate_limited_releases INTEGER NOT NULL DEFAULT 0");

    /** Version 4's tables and indexes; run after its columns exist. */
    private static final List<String> VERSION_4_DDL = List.of(
            // why: a user's next job is the first row of this index for (status 'pending', user_key) whose run_at
            // is due, in priority order; the lane query probes it once per user instead of reading pending rows
            "CREATE INDEX IF NOT EXISTS jobs_by_user_turn ON jobs (status, user_key, priority DESC, run_at)",
            "CREATE INDEX IF NOT EXISTS jobs_by_user_run_at ON jobs (status, user_key, run_at)",
            "CREATE INDEX IF NOT EXISTS jobs_by_user_lease ON jobs (user_key, lease_until)"
                    + " WHERE lease_until IS NOT NULL",
            // why: one row per user key, not per job: whose turn it is reads the lanes, never every pending job
            """
            CREATE TABLE IF NOT EXISTS queue_lanes (
              user_key      TEXT PRIMARY KEY,
              last_claim_at INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX IF NOT EXISTS queue_lanes_by_last_claim ON queue_lanes (last_claim_at)",
            """
            CREATE TABLE IF NOT EXISTS llm_pauses (
              credential     TEXT PRIMARY KEY,
              kind           TEXT NOT NULL,
              until          INTEGER NOT NULL,
              strikes        INTEGER NOT NULL,
              since          INTEGER NOT NULL,
              retry_after_ms INTEGER,
              probe_until    INTEGER,
              probe_by       TEXT,
              probe_job_id   TEXT,
              recorded_by    TEXT NOT NULL,
              updated_at     INTEGER NOT NULL
            )""");

    private SqliteSchema() {}

    /** Creates the tables if needed; runs inside the caller's write transaction. */
    static void migrate(Connection connection, String description) throws SQLException {
        int version;
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA user_version")) {
            version = row.next() ? row.getInt(1) : 0;
        }
        if (version > VERSION) {
            throw new JobQueueException(
                    "the embedded queue " + description + " has schema version " + version
                            + ", newer than this worker's " + VERSION + "; use a newer worker or another file",
                    false);
        }
        try (Statement statement = connection.createStatement()) {
            for (String ddl : DDL) {
                statement.execute(ddl);
            }
            if (version == 1) {
                fromVersion1(statement);
            }
            if (version >= 1 && version < 4) {
                for (String column : VERSION_4_COLUMNS) {
                    statement.execute("ALTER TABLE jobs ADD COLUMN " + column);
                }
            }
            for (String ddl : VERSION_4_DDL) {
                statement.execute(ddl);
            }
            if (version < 4) {
                // why: every user key with jobs gets its lane, so that a claim finds them by turns
                statement.execute("INSERT OR IGNORE INTO queue_lanes (user_key, last_claim_at)"
                        + " SELECT DISTINCT user_key, 0 FROM jobs");
            }
            if (version < VERSION) {
                statement.execute("PRAGMA user_version = " + VERSION);
            }
        }
    }

    /**
     * Version 1 counted an attempt when it ended; version 2 when it starts. Rows held now (or canceled while held)
     * count their running attempt; a completion's lease token moves to {@code completed_by}; ended jobs lose their
     * stale locks (the holder of a canceled one keeps its token, so it can still learn of the cancellation).
     */
    private static void fromVersion1(Statement statement) throws SQLException {
        statement.execute("ALTER TABLE jobs ADD COLUMN completed_by TEXT");
        statement.execute("UPDATE jobs SET attempts = attempts + 1 WHERE status IN " + LEASED
                + " OR status = 'canceled' AND lease_token IS NOT NULL");
        statement.execute("UPDATE jobs SET completed_by = lease_token, lease_token = NULL WHERE status = 'completed'");
        statement.execute("UPDATE jobs SET locked_by = NULL, lease_until = NULL, lease_token = NULL WHERE status IN "
                + TERMINAL + " AND status <> 'canceled'");
    }

    private static String inList(Predicate<JobStatus> filter) {
        return Arrays.stream(JobStatus.values())
                .filter(filter)
                .map(status -> "'" + status.wireName() + "'")
                .collect(Collectors.joining(", ", "(", ")"));
    }
}
