package io.fondation.embeddedqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SQLite queue does beyond the shared contract: files, schema, locking, defaults. */
class SqliteJobQueueTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingAtDefault();

    @Test
    void aHeartbeatOnABusyDatabaseIsTriedOnceAndFailsAsTransient() throws Exception {
        Path file = dir.resolve("queue.db");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock, Duration.ofMillis(200));
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement lock = other.createStatement()) {
            queue.enqueue(JobSpec.of(CloneSource.ofUrl("/tmp/repo", null), ""));
            ClaimedJob job = queue.claimOne("w1", LEASE).orElseThrow();
            lock.execute("BEGIN IMMEDIATE"); // another process holds the write lock
            long started = System.nanoTime();

            assertThatThrownBy(() -> queue.heartbeat(job.lease(), JobStatus.ANALYZING, null, LEASE))
                    .isInstanceOfSatisfying(
                            JobQueueException.class,
                            e -> assertThat(e.isTransient()).isTrue());

            // why: one try, waiting the busy timeout (200 ms here); a retried write goes on for RETRY_BUDGET (30 s)
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(SqliteConnection.RETRY_BUDGET.dividedBy(6));
            lock.execute("ROLLBACK");
            assertThat(queue.heartbeat(job.lease(), JobStatus.ANALYZING, null, LEASE)
                            .leaseHeld())
                    .isTrue();
        }
    }

    @Test
    void openCreatesTheFolderTheSchemaAndUsesWriteAheadLogging() throws Exception {
        Path file = dir.resolve("a").resolve("b").resolve("queue.db");

        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            queue.enqueue(spec("widgets"));
        }

        assertThat(file).isRegularFile();
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            assertThat(single(statement, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(single(statement, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteSchema.VERSION));
            assertThat(single(statement, "SELECT count(*) FROM jobs")).isEqualTo("1");
            assertThat(single(statement, "SELECT count(*) FROM documents")).isEqualTo("0");
        }
    }

    @Test
    void jobsAndDocumentsSurviveReopening() {
        Path file = dir.resolve("queue.db");
        String id;
        Document document = new Document("chapters/chapter_1_intro.md", "Intro", 1, DocumentKind.CHAPTER, "# Intro");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            id = queue.enqueue(spec("widgets"));
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            assertThat(queue.complete(job.lease(), new Completion(JobResult.of("done", 1), List.of(document), null)))
                    .isEqualTo(CompleteOutcome.COMPLETED);
        }

        try (SqliteJobQueue reopened = SqliteJobQueue.open(file, clock)) {
            assertThat(reopened.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(reopened.get(id).orElseThrow().result().message()).isEqualTo("done");
            assertThat(reopened.documents(id)).containsExactly(document);
        }
    }

    @Test
    void aClosedQueueSaysSo() {
        SqliteJobQueue queue = SqliteJobQueue.inMemory(clock);
        queue.close();

        assertThatThrownBy(() -> queue.enqueue(spec("widgets")))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> queue.get("x")).hasMessageContaining("closed");
        queue.close(); // closing twice is harmless
    }

    @Test
    void aDirectoryIsNotAQueueFile() {
        assertThatThrownBy(() -> SqliteJobQueue.open(dir, clock))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("directory");
    }

    @Test
    void aFileThatIsNotADatabaseIsRefusedByName() throws Exception {
        Path file = dir.resolve("notes.db");
        Files.writeString(file, "these are notes, not a database\n".repeat(100));

        assertThatThrownBy(() -> SqliteJobQueue.open(file, clock))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).startsWith("these are notes");
    }

    @Test
    void aFileFromANewerVersionIsRefused() throws Exception {
        Path file = dir.resolve("queue.db");
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            statement.execute("PRAGMA user_version = 99");
        }

        assertThatThrownBy(() -> SqliteJobQueue.open(file, clock))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("schema version 99");
    }

    @Test
    void aVersion1FileCountsTheAttemptsStartedAndHoldsNoStaleLockOnceOpened() throws Exception {
        // A file as version 1 wrote it: attempts counted when they ended, locks and tokens left on ended jobs.
        Path file = dir.resolve("v1.db");
        long now = clock.millis();
        long later = now + LEASE.toMillis();
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            statement.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, source_url TEXT,"
                    + " source_full_name TEXT, source_branch TEXT, prompt TEXT NOT NULL, attempts INTEGER NOT NULL"
                    + " DEFAULT 0, max_attempts INTEGER NOT NULL, run_at INTEGER NOT NULL, locked_by TEXT,"
                    + " lease_until INTEGER, lease_token TEXT, progress_message TEXT, current_step INTEGER,"
                    + " total_steps INTEGER, last_error TEXT, result TEXT, docs_count INTEGER NOT NULL DEFAULT 0,"
                    + " cancel_requested INTEGER NOT NULL DEFAULT 0, dedupe_key TEXT, created_at INTEGER NOT NULL,"
                    + " updated_at INTEGER NOT NULL, completed_at INTEGER)");
            String insert = "INSERT INTO jobs (id, status, source_full_name, prompt, attempts, max_attempts, run_at,"
                    + " locked_by, lease_until, lease_token, cancel_requested, created_at, updated_at) VALUES ";
            statement.execute(insert + "('running', 'analyzing', 'acme/a', 'p', 0, 5, " + now + ", 'w', " + later
                    + ", 't-run', 0, " + now + ", " + now + ")");
            statement.execute(insert + "('done', 'completed', 'acme/b', 'p', 1, 5, " + now
                    + ", NULL, NULL, 't-done', 0, " + now + ", " + now + ")");
            statement.execute(insert + "('canceled', 'canceled', 'acme/c', 'p', 1, 5, " + now + ", 'w', " + later
                    + ", 't-cancel', 1, " + now + ", " + now + ")");
            statement.execute(insert + "('waiting', 'pending', 'acme/d', 'p', 0, 5, " + now + ", NULL, NULL, NULL, 0, "
                    + now + ", " + now + ")");
            statement.execute("PRAGMA user_version = 1");
        }

        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock)) {
            assertThat(queue.get("running").orElseThrow().attempts())
                    .as("its running attempt")
                    .isEqualTo(1);
            assertThat(queue.get("done").orElseThrow().attempts()).isEqualTo(1);
            assertThat(queue.get("canceled").orElseThrow().attempts())
                    .as("canceled in its second attempt")
                    .isEqualTo(2);
            assertThat(queue.complete(lease("done", "t-done"), JobResult.of("again", 0)))
                    .as("the completion's holder is still recognised")
                    .isEqualTo(CompleteOutcome.ALREADY_COMPLETED);
            assertThat(queue.release(lease("canceled", "t-cancel"))).isFalse();
            assertThat(queue.get("canceled").orElseThrow().lockedBy()).isNull();
            assertThat(queue.get("canceled").orElseThrow().status()).isEqualTo(JobStatus.CANCELED);
            // Version 4: older jobs are the anonymous user's, priority 0, nothing spent; they are claimed by turns.
            assertThat(queue.get("running").orElseThrow().user()).isEqualTo(SqliteJobQueue.ANONYMOUS_USER);
            assertThat(queue.get("running").orElseThrow().costUsd()).isZero();
            ClaimedJob waiting = queue.claimOne("worker-b", LEASE).orElseThrow();
            assertThat(waiting.id()).isEqualTo("waiting");
            assertThat(waiting.claimTerms().orElseThrow().userKey()).isEqualTo(SqliteJobQueue.ANONYMOUS_USER);
        }
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = raw.createStatement()) {
            assertThat(single(statement, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteSchema.VERSION));
            assertThat(single(
                            statement,
                            "SELECT COUNT(*) FROM jobs WHERE lease_token IS NOT NULL AND status IN"
                                    + " ('completed', 'canceled')"))
                    .isEqualTo("0");
        }
    }

    @Test
    void aPauseRecordedThroughOneProcessHoldsTheClaimsOfAnotherSharingTheFile() {
        Path file = dir.resolve("fleet.db");
        String credential = "sha256:00112233445566778899aabbccddeeff";
        try (SqliteJobQueue first = SqliteJobQueue.open(file, clock);
                SqliteJobQueue second = SqliteJobQueue.open(file, clock)) {
            first.enqueue(JobSpec.of(CloneSource.ofFullName("acme/a", null), "p"));
            LlmPause pause = first.recordPause("worker-a", credential, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
            ClaimRequest request = ClaimRequest.of("worker-b", LEASE).withCredential(credential);
            ClaimResult paused = second.claimOne(request);
            assertThat(paused.job()).as("paused for the whole fleet").isEmpty();
            assertThat(paused.pause()).as("and the claim says until when").contains(pause);
            assertThat(second.pauses()).containsExactly(pause);
            clock.advance(Duration.between(clock.instant(), pause.until()));
            assertThat(second.claimOne(request)
                            .job()
                            .orElseThrow()
                            .claimTerms()
                            .orElseThrow()
                            .probe())
                    .as("the probe, and its claim says so")
                    .isTrue();
        }
    }

    @Test
    void maxRunningPerUserIsRefusedOutsideItsBounds() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            assertThat(queue.maxRunningPerUser()).isZero();
            assertThatThrownBy(() -> queue.maxRunningPerUser(-1)).hasMessageContaining("MAX_RUNNING_PER_USER");
            assertThatThrownBy(() -> queue.maxRunningPerUser(SqliteJobQueue.MAX_RUNNING_PER_USER_LIMIT + 1))
                    .hasMessageContaining("from 0 (no cap) to 100");
            assertThat(queue.maxRunningPerUser(3).maxRunningPerUser()).isEqualTo(3);
        }
    }

    @Test
    void theBudgetMessageIsTheConvexFunctionsOwn() {
        // convex/lib/costs.ts budgetSpentMessage: cents, four digits under a cent, the last error appended.
        assertThat(SqliteBudgets.spentMessage(1_000_000, 1_000_000, 3, "failed late"))
                .isEqualTo("budget spent: the job's attempts cost $1.00 of its $1.00 limit (3 attempts); it is not"
                        + " retried. Last error: failed late");
        assertThat(SqliteBudgets.spentMessage(5_000, 5_000, 1, null))
                .isEqualTo("budget spent: the job's attempts cost $0.0050 of its $0.0050 limit (1 attempt); it is not"
                        + " retried");
    }

    private static io.fondation.shared.JobLease lease(String id, String token) {
        return new io.fondation.shared.JobLease(id, "w", token, java.time.Instant.EPOCH);
    }

    @Test
    void badArgumentsAreRefusedWithTheirName() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            assertThatThrownBy(() -> queue.claimOne(" ", LEASE)).hasMessageContaining("worker id");
            assertThatThrownBy(() -> queue.claimOne("worker-a", Duration.ZERO)).hasMessageContaining("lease");
            assertThatThrownBy(() -> queue.list(null, -1)).hasMessageContaining("limit");
            assertThat(queue.list(null, 0)).isEmpty();
        }
    }

    @Test
    void theInjectedRandomChoosesTheJitter() {
        RandomGenerator half = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only nextDouble is used");
            }

            @Override
            public double nextDouble() {
                return 0.5;
            }
        };
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock, RetryPolicy.DEFAULT, half)) {
            queue.enqueue(spec("widgets"));
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();

            RetryDecision decision = queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.TRANSIENT, "boom"));

            assertThat(decision)
                    .isEqualTo(
                            new RetryDecision.Retrying(clock.instant().plus(RetryPolicy.DEFAULT.backoff(1, 0.5)), 1));
        }
    }

    @Test
    void aLateHeartbeatKeepsTheJobWhileNobodyElseClaimedIt() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            String id = queue.enqueue(spec("widgets"));
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            clock.advance(LEASE.plusSeconds(10));

            assertThat(queue.heartbeat(job.lease(), JobStatus.RUNNING, null, LEASE)
                            .leaseHeld())
                    .isTrue();

            assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
            assertThat(queue.get(id).orElseThrow().attempts())
                    .as("still attempt 1")
                    .isEqualTo(1);
        }
    }

    @Test
    void anExpiredLeaseIsRecordedAsTheLastError() {
        try (SqliteJobQueue queue = SqliteJobQueue.inMemory(clock)) {
            String id = queue.enqueue(spec("widgets"));
            queue.claimOne("worker-a", LEASE).orElseThrow();
            clock.advance(LEASE.plusSeconds(1));

            queue.claimOne("worker-b", LEASE).orElseThrow();

            assertThat(queue.get(id).orElseThrow().lastError()).isEqualTo("lease expired while held by worker-a");
        }
    }

    @Test
    void aClaimWaitsWhileAnotherConnectionHoldsTheWriteLock() throws Exception {
        Path file = dir.resolve("queue.db");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = other.createStatement()) {
            String id = queue.enqueue(spec("widgets"));
            statement.execute("BEGIN IMMEDIATE");
            CompletableFuture<Optional<ClaimedJob>> claim =
                    CompletableFuture.supplyAsync(() -> queue.claimOne("worker-a", LEASE));

            assertThatThrownBy(() -> claim.get(300, TimeUnit.MILLISECONDS))
                    .as("the claim waits for the other writer")
                    .isInstanceOf(TimeoutException.class);
            statement.execute("COMMIT");

            assertThat(claim.get(10, TimeUnit.SECONDS)).map(ClaimedJob::id).contains(id);
        }
    }

    @Test
    void aClaimPicksItsJobInsideTheWriteLockSoItSeesAnotherProcessClaim() throws Exception {
        Path file = dir.resolve("queue.db");
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, clock);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = other.createStatement()) {
            String id = queue.enqueue(spec("widgets"));
            // Another process claims the job and has not committed yet.
            statement.execute("BEGIN IMMEDIATE");
            statement.executeUpdate("UPDATE jobs SET status = 'claimed', locked_by = 'other-process',"
                    + " lease_token = 'other-token', lease_until = "
                    + clock.instant().plus(LEASE).toEpochMilli()
                    + " WHERE id = '" + id + "'");
            CompletableFuture<Optional<ClaimedJob>> claim =
                    CompletableFuture.supplyAsync(() -> queue.claimOne("worker-a", LEASE));
            assertThatThrownBy(() -> claim.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            statement.execute("COMMIT");

            assertThat(claim.get(10, TimeUnit.SECONDS))
                    .as("a claim that selected before taking the lock would hand out the job a second time")
                    .isEmpty();
            assertThat(queue.get(id).orElseThrow().lockedBy()).isEqualTo("other-process");
        }
    }

    @Test
    void twoQueuesOnOneFileNeverHandOutAJobTwice() throws Exception {
        Path file = dir.resolve("queue.db");
        int jobs = 400;
        try (SqliteJobQueue first = SqliteJobQueue.open(file, clock);
                SqliteJobQueue second = SqliteJobQueue.open(file, clock)) {
            Set<String> enqueued = IntStream.range(0, jobs)
                    .mapToObj(i -> first.enqueue(spec("repo-" + i)))
                    .collect(Collectors.toSet());
            Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    SqliteJobQueue queue = t % 2 == 0 ? first : second;
                    String workerId = "worker-" + t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        Optional<ClaimedJob> next;
                        while ((next = queue.claimOne(workerId, LEASE)).isPresent()) {
                            claims.computeIfAbsent(next.get().id(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            assertThat(queue.complete(next.get().lease(), JobResult.of("ok", 0)))
                                    .isEqualTo(CompleteOutcome.COMPLETED);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : futures) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(claims.keySet()).isEqualTo(enqueued);
            assertThat(claims.values()).allSatisfy(count -> assertThat(count).hasValue(1));
            assertThat(second.list(JobStatus.COMPLETED, jobs + 1)).hasSize(jobs);
        }
    }

    private static JobSpec spec(String name) {
        return JobSpec.of(CloneSource.ofFullName("acme/" + name, null), "prompt");
    }

    private static String single(Statement statement, String sql) throws Exception {
        try (ResultSet row = statement.executeQuery(sql)) {
            assertThat(row.next()).as(sql).isTrue();
            return row.getString(1);
        }
    }
}
