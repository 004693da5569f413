package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims stay cheap with 100,000 pending jobs of 1,000 users (issue 22, test 4 on the embedded queue): SQLite's plan
 * reads jobs only through the indexes that start with {@code (status, user_key)} (or {@code user_key} for live
 * leases), a probe or two per user lane and the chosen user's own due jobs, never every pending job; and the claims take turns, one user after another. It prints what a claim reads and how many
 * claims a second this machine makes (a figure, not an assertion: the build machine is shared).
 */
class SqliteClaimCostTest {

    private static final int USERS = 1_000;
    private static final int JOBS_PER_USER = 100;

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingAtDefault();

    @Test
    void aClaimReadsJobsThroughTheUserIndexesOnlyAndTakesTurnsAt100000PendingJobs() throws Exception {
        Path file = dir.resolve("queue.db");
        SqliteJobQueue.open(file, clock).close();
        long now = clock.millis();
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            raw.setAutoCommit(false);
            try (PreparedStatement job = raw.prepareStatement("INSERT INTO jobs (id, status, source_full_name, prompt,"
                            + " max_attempts, run_at, created_at, updated_at, user_key, priority)"
                            + " VALUES (?, 'pending', 'acme/app', '', 5, ?, ?, ?, ?, ?)");
                    PreparedStatement lane =
                            raw.prepareStatement("INSERT INTO queue_lanes (user_key, last_claim_at) VALUES (?, 0)")) {
                for (int u = 0; u < USERS; u++) {
                    lane.setString(1, "user-" + u);
                    lane.addBatch();
                    for (int j = 0; j < JOBS_PER_USER; j++) {
                        job.setString(1, "job-" + u + "-" + j);
                        // why spread: due times and priorities vary, as a real queue's do
                        job.setLong(2, now - (long) (j * 7 + u) % 5_000);
                        job.setLong(3, now);
                        job.setLong(4, now);
                        job.setString(5, "user-" + u);
                        job.setInt(6, j % 3);
                        job.addBatch();
                    }
                }
                lane.executeBatch();
                job.executeBatch();
            }
            raw.commit();
            raw.setAutoCommit(true);

            for (String sql : List.of(
                    SqliteJobQueue.nextUserSql(false), SqliteJobQueue.nextUserSql(true), SqliteJobQueue.NEXT_JOB_SQL)) {
                List<String> plan = plan(raw, sql);
                System.out.printf("plan of a claim's query:%n  %s%n", String.join("\n  ", plan));
                assertThat(plan)
                        .as("jobs are read through (status, user_key, ...) indexes only: %s", sql)
                        .filteredOn(line -> line.matches("(SCAN|SEARCH) (jobs|j|r)\\b.*"))
                        .isNotEmpty()
                        .allSatisfy(line -> assertThat(line)
                                .startsWith("SEARCH")
                                .containsPattern("jobs_by_user_(turn|run_at|lease)"));
            }
        }

        int claims = 300;
        Set<String> users = new HashSet<>();
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            long started = System.nanoTime();
            for (int i = 0; i < claims; i++) {
                ClaimedJob job = queue.claimOne("worker-" + (i % 8), Duration.ofMinutes(5))
                        .orElseThrow();
                users.add(job.claimTerms().orElseThrow().userKey());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "embedded queue, %,d pending jobs of %,d users: %d claims in %.2f s = %.0f claims/s; a claim reads"
                            + " %,d lane rows, two index probes per lane, then the chosen user's due jobs (at most"
                            + " its own) in priority order%n",
                    USERS * JOBS_PER_USER, USERS, claims, seconds, claims / seconds, USERS);
        }
        assertThat(users).as("every claim took another user's turn").hasSize(claims);
    }

    private static List<String> plan(Connection connection, String sql) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "0"))) {
            while (row.next()) {
                lines.add(row.getString("detail"));
            }
        }
        return lines;
    }
}
