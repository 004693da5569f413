package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSpec;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded queue's checkpoints do beyond the shared contract: the schema, its trigger, its limits. */
class SqliteCheckpointsTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final CheckpointBasis BASIS = new CheckpointBasis(
            "0123456789abcdef0123456789abcdef01234567", "dry-run", "1", "", CheckpointBasis.fingerprint("p"));
    private static final CheckpointFile STEP1 = new CheckpointFile("step1_abstractions.yaml", "- name: Queue\n");

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingAtDefault();

    @Test
    void aVersion2FileGetsTheCheckpointTablesAndKeepsItsJobs() throws Exception {
        Path file = dir.resolve("v2.db");
        long now = clock.millis();
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            // The tables as version 2 wrote them.
            statement.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, source_url TEXT,"
                    + " source_full_name TEXT, source_branch TEXT, prompt TEXT NOT NULL, attempts INTEGER NOT NULL"
                    + " DEFAULT 0, max_attempts INTEGER NOT NULL, run_at INTEGER NOT NULL, locked_by TEXT,"
                    + " lease_until INTEGER, lease_token TEXT, progress_message TEXT, current_step INTEGER,"
                    + " total_steps INTEGER, last_error TEXT, result TEXT, docs_count INTEGER NOT NULL DEFAULT 0,"
                    + " cancel_requested INTEGER NOT NULL DEFAULT 0, dedupe_key TEXT, created_at INTEGER NOT NULL,"
                    + " updated_at INTEGER NOT NULL, completed_at INTEGER, completed_by TEXT)");
            statement.execute("CREATE TABLE documents (job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
                    + " slug TEXT NOT NULL, title TEXT NOT NULL, chapter_index INTEGER, kind TEXT NOT NULL,"
                    + " content TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (job_id, slug))");
            statement.execute("INSERT INTO jobs (id, status, source_full_name, prompt, attempts, max_attempts, run_at,"
                    + " created_at, updated_at) VALUES ('waiting', 'pending', 'acme/a', 'p', 0, 5, " + now + ", "
                    + now + ", " + now + ")");
            statement.execute("PRAGMA user_version = 2");
        }

        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            assertThat(job.id()).isEqualTo("waiting");
            assertThat(queue.saveCheckpointFile(job.lease(), BASIS, STEP1, CheckpointFence.LEASE))
                    .isEqualTo(CheckpointWrite.SAVED);
            assertThat(queue.checkpoint("waiting").orElseThrow().files()).containsExactly(STEP1);
        }
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            assertThat(single(statement, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteSchema.VERSION));
            assertThat(single(statement, "SELECT COUNT(*) FROM checkpoint_files"))
                    .isEqualTo("1");
        }
    }

    @Test
    void aJobEndedByAnotherProgramLosesItsCheckpointAndADeletedJobToo() throws Exception {
        Path file = dir.resolve("queue.db");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            String ended = queue.enqueue(spec("ended"));
            ClaimedJob first = queue.claimOne("worker-a", LEASE).orElseThrow();
            queue.saveCheckpointFile(first.lease(), BASIS, STEP1, CheckpointFence.LEASE);
            String deleted = queue.enqueue(spec("deleted"));
            ClaimedJob second = queue.claimOne("worker-a", LEASE).orElseThrow();
            queue.saveCheckpointFile(second.lease(), BASIS, STEP1, CheckpointFence.LEASE);

            try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement statement = raw.createStatement()) {
                statement.execute("PRAGMA foreign_keys = ON");
                // The web app or an operator's tool, not this queue's code.
                statement.execute("UPDATE jobs SET status = 'failed' WHERE id = '" + ended + "'");
                statement.execute("DELETE FROM jobs WHERE id = '" + deleted + "'");
                assertThat(single(statement, "SELECT COUNT(*) FROM checkpoint_files"))
                        .isEqualTo("0");
            }
            assertThat(queue.checkpoint(ended)).isEmpty();
            assertThat(queue.checkpoint(deleted)).isEmpty();
        }
    }

    @Test
    void aCheckpointKeepsAtMostItsFileLimitAndAnExistingFileCanStillBeRewritten() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            String id = queue.enqueue(spec("many"));
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            IntStream.rangeClosed(1, Checkpoint.MAX_FILES)
                    .forEach(i -> assertThat(queue.saveCheckpointFile(
                                    job.lease(),
                                    BASIS,
                                    new CheckpointFile("chapters/chapter_" + i + "_x.md", "# Chapter " + i),
                                    CheckpointFence.LEASE))
                            .isEqualTo(CheckpointWrite.SAVED));

            CheckpointFile oneMore = new CheckpointFile("chapters/chapter_1001_x.md", "# Chapter 1001");
            assertThatThrownBy(() -> queue.saveCheckpointFile(job.lease(), BASIS, oneMore, CheckpointFence.LEASE))
                    .isInstanceOf(JobQueueException.Rejected.class)
                    .hasMessageContaining(oneMore.path())
                    .hasMessageContaining("at most " + Checkpoint.MAX_FILES);
            CheckpointFile rewritten = new CheckpointFile("chapters/chapter_7_x.md", "# Chapter 7, again");
            assertThat(queue.saveCheckpointFile(job.lease(), BASIS, rewritten, CheckpointFence.LEASE))
                    .isEqualTo(CheckpointWrite.SAVED);

            Checkpoint checkpoint = queue.checkpoint(id).orElseThrow();
            assertThat(checkpoint.files()).hasSize(Checkpoint.MAX_FILES).contains(rewritten);
            assertThat(checkpoint.file(oneMore.path())).isEmpty();
        }
    }

    private static JobSpec spec(String name) {
        return JobSpec.of(CloneSource.ofFullName("acme/" + name, "main"), "Prompt for " + name);
    }

    private static String single(Statement statement, String sql) throws Exception {
        try (ResultSet row = statement.executeQuery(sql)) {
            assertThat(row.next()).as(sql).isTrue();
            return row.getString(1);
        }
    }
}
