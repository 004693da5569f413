package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.CloneSource;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.JobSpec;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded queue's {@link SqliteJobQueue#depth}: its cap (the contract suite checks the counts) and its reads
 * through indexes, never a scan of the table.
 */
class SqliteDepthTest {

    private final MutableClock clock = MutableClock.startingAtDefault();

    @TempDir
    Path temp;

    @Test
    void countsStopAtTheLimitAndSaySo() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            for (int i = 0; i <= SqliteJobQueue.DEPTH_LIMIT; i++) {
                queue.enqueue(spec(i));
            }
            queue.claimOne("w", Duration.ofMinutes(5)).orElseThrow();

            DepthCounts depth = queue.depth(clock.instant()).orElseThrow();

            // 1,001 queued, one claimed: 1,000 pending (exactly the limit, not capped), 1 running.
            assertThat(depth)
                    .isEqualTo(DepthCounts.exact(SqliteJobQueue.DEPTH_LIMIT, SqliteJobQueue.DEPTH_LIMIT, 1, 0));
            queue.enqueue(spec(-1));
            DepthCounts capped = queue.depth(clock.instant()).orElseThrow();
            assertThat(capped.pending()).isEqualTo(SqliteJobQueue.DEPTH_LIMIT);
            assertThat(capped.isCapped(DepthCounts.Count.PENDING)).isTrue();
            assertThat(capped.isCapped(DepthCounts.Count.DUE)).isTrue();
            assertThat(capped.isCapped(DepthCounts.Count.RUNNING)).isFalse();
        }
    }

    @Test
    void pausedCountsTheCredentialsWhoseClaimsAreHeldBackNow() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            queue.enqueue(spec(1));
            queue.recordPause("w", "sha256:" + "a".repeat(32), LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
            queue.recordPause("w", "sha256:" + "b".repeat(32), LlmLimitKind.OVERLOADED, Duration.ofSeconds(20));

            assertThat(queue.depth(clock.instant()).orElseThrow().paused()).isEqualTo(2);
            // past both pauses (retry-after 20 s, at most 10 % jitter) and with no probe out, nothing is held back
            clock.advance(Duration.ofMinutes(1));
            assertThat(queue.depth(clock.instant()).orElseThrow().paused()).isZero();
        }
    }

    @Test
    void everyCountReadsAnIndexNeverTheWholeTable() throws Exception {
        Path file = temp.resolve("queue.db");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            queue.enqueue(spec(1));
        }
        long now = clock.instant().toEpochMilli();
        List<String> selects = Stream.of(
                        SqliteJobQueue.DEPTH_PENDING,
                        SqliteJobQueue.DEPTH_DUE_PENDING,
                        SqliteJobQueue.DEPTH_EXPIRED_LEASES,
                        SqliteJobQueue.DEPTH_LIVE_LEASES)
                .map(select -> select.replace("?", Long.toString(now)))
                .toList();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            for (String select : selects) {
                List<String> plan = new ArrayList<>();
                try (ResultSet row = statement.executeQuery("EXPLAIN QUERY PLAN " + select)) {
                    while (row.next()) {
                        plan.add(row.getString("detail"));
                    }
                }
                System.out.println("depth: " + select + " -> " + plan);
                assertThat(plan).as(select).anySatisfy(step -> assertThat(step).contains("INDEX"));
                assertThat(plan).as(select).noneSatisfy(step -> assertThat(step).isEqualTo("SCAN jobs"));
            }
        }
    }

    private static JobSpec spec(int i) {
        return JobSpec.of(CloneSource.ofUrl("https://github.com/example/repo" + i, null), "p" + i);
    }
}
