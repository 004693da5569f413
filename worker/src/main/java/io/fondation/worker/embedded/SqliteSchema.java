package io.fondation.worker.embedded;

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
 * {@code jobs} table that a queue needs, plus the lease token used for fencing; times are
 * milliseconds since the epoch, as in Convex.
 */
final class SqliteSchema {

    /** Stored in {@code PRAGMA user_version}; a file written by a newer version is refused. */
    static final int VERSION = 1;

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
              completed_at     INTEGER
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
            if (version < VERSION) {
                statement.execute("PRAGMA user_version = " + VERSION);
            }
        }
    }

    private static String inList(Predicate<JobStatus> filter) {
        return Arrays.stream(JobStatus.values())
                .filter(filter)
                .map(status -> "'" + status.wireName() + "'")
                .collect(Collectors.joining(", ", "(", ")"));
    }
}
