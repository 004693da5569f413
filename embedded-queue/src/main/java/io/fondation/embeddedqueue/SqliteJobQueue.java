package io.fondation.embeddedqueue;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.DocumentReadingOrder;
import io.fondation.shared.FailureKind;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStateMachine;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueArguments;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RateLimitedRelease;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The embedded job queue: a SQLite file that one or several worker processes on a machine share
 * (the {@code dev} mode), or an in-memory database for tests.
 *
 * <p>Every write is one {@code BEGIN IMMEDIATE} transaction, so a claim (reclaim expired leases,
 * pick the due job with the lowest {@code run_at}, hand it out under a new lease token) is atomic
 * across processes. Every write by a holder names its lease token and is refused when the token is
 * no longer the job's (fencing). Status changes follow {@link JobStateMachine}; retry and
 * lease-expiry decisions come from {@link RetryPolicy}.
 *
 * <p>{@code attempts} counts the attempts started, as Oban does: the claim adds one, a release gives it back, a
 * failure, an expired lease or a completion adds nothing more; so a running job shows the number of the attempt that
 * runs, and a canceled one the attempt it was canceled in. An ended job holds no lock: its {@code locked_by},
 * {@code lease_until} and {@code lease_token} are cleared (a completion keeps its token as {@code completed_by}, so
 * that its holder's repeated call is recognised).
 *
 * <p>Checkpoints ({@link #checkpointSupport()}: supported) live in the same database, in the tables
 * {@code checkpoints} and {@code checkpoint_files}: written and read with the fencing of {@link JobQueue}, deleted by
 * a trigger when their job ends, and swept when orphaned (not opened or written for {@link Checkpoint#ORPHAN_AFTER},
 * or their job gone) by a claim, at most once a minute per queue.
 *
 * <p>Fleet rules ({@link #fleetSupport()}: all of issue 22's). Fair claims: a claim reads the {@code queue_lanes}
 * (one row per user key, with the stamp of its last claim), probes each lane's earliest due pending job through the
 * index {@code (status, user_key, run_at)}, and takes the lane whose last claim is oldest (ties by the oldest due job,
 * then the lane's age), skipping users at {@link #maxRunningPerUser(int) MAX_RUNNING_PER_USER} live leases; then that
 * user's due job of the highest priority, earliest {@code run_at}, through {@code (status, user_key, priority DESC,
 * run_at)}. So a claim reads one lane and two index probes per user with jobs, then the chosen user's own due jobs,
 * never every pending job (100,000 pending jobs of 1,000 users: 1,000 lanes and 2,000 index probes; {@code
 * SqliteClaimCostTest} checks the plan and prints the rate). Pauses: {@link SqlitePauses}, the Convex
 * functions' rules. Budgets: {@link SqliteBudgets}; costs are added in the same fenced write as the attempt's end.
 */
public final class SqliteJobQueue implements JobQueue {

    private static final String JOB_COLUMNS = "id, status, source_url, source_full_name, source_branch, prompt,"
            + " attempts, max_attempts, run_at, locked_by, lease_until, progress_message, current_step, total_steps,"
            + " last_error, result, docs_count, cancel_requested, created_at, updated_at, completed_at, user_key,"
            + " priority, cost_micros, max_cost_micros, cost_limit_micros";

    /** The largest {@code MAX_RUNNING_PER_USER} accepted (the Convex functions' bound). */
    public static final int MAX_RUNNING_PER_USER_LIMIT = 100;

    /** The user key of jobs that name no user: they share one turn. */
    public static final String ANONYMOUS_USER = "anonymous";

    /** Jobs whose budget is spent ended by one claim before it answers "nothing due" (as on Convex). */
    private static final int SPENT_JOBS_PER_CLAIM = 20;

    private final SqliteConnection db;
    private final Clock clock;
    private final RetryPolicy policy;
    private final RandomGenerator random;
    private final SqliteWatcher watcher;
    /** When this queue last swept orphaned checkpoints (clock millis); guarded by the database's write lock. */
    private long lastCheckpointSweep = Long.MIN_VALUE;
    /** The cap on each user's live leases (0: none); see {@link #maxRunningPerUser(int)}. */
    private volatile int maxRunningPerUser;

    private SqliteJobQueue(SqliteConnection db, Clock clock, RetryPolicy policy, RandomGenerator random) {
        this.db = db;
        this.clock = clock;
        this.policy = policy;
        this.random = random;
        this.watcher = new SqliteWatcher(db, clock, SqliteWatcher.DEFAULT_INTERVAL);
    }

    /**
     * Opens (creating if needed) the queue stored in {@code file}, with the default retry policy.
     *
     * @throws JobQueueException naming the file when it cannot be created or is not a queue database
     */
    public static SqliteJobQueue open(Path file, Clock clock) {
        return open(file, clock, RetryPolicy.DEFAULT, threadLocalRandom());
    }

    /**
     * Opens (creating if needed) the queue stored in {@code file}.
     *
     * @param random chooses the backoff jitter
     */
    public static SqliteJobQueue open(Path file, Clock clock, RetryPolicy policy, RandomGenerator random) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new JobQueueException("the embedded queue file " + absolute + " is a directory", false);
        }
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new JobQueueException(
                    "cannot create the folder of the embedded queue " + absolute + ": " + e, false, e);
        }
        return open(absolute, clock, policy, random, SqliteConnection.BUSY_TIMEOUT);
    }

    /** {@link #open(Path, Clock)} with another busy timeout (tests). */
    static SqliteJobQueue open(Path file, Clock clock, Duration busyTimeout) {
        return open(file.toAbsolutePath().normalize(), clock, RetryPolicy.DEFAULT, threadLocalRandom(), busyTimeout);
    }

    private static SqliteJobQueue open(
            Path absolute, Clock clock, RetryPolicy policy, RandomGenerator random, Duration busyTimeout) {
        SqliteConnection db = SqliteConnection.open("jdbc:sqlite:" + absolute, absolute.toString(), true, busyTimeout);
        return create(db, absolute.toString(), clock, policy, random);
    }

    /** A queue in memory, private to this instance; for tests. */
    public static SqliteJobQueue inMemory(Clock clock) {
        return inMemory(clock, RetryPolicy.DEFAULT, threadLocalRandom());
    }

    /** A queue in memory, private to this instance, with the given policy and jitter source. */
    public static SqliteJobQueue inMemory(Clock clock, RetryPolicy policy, RandomGenerator random) {
        // A plain :memory: database belongs to its one connection; this queue uses exactly one.
        SqliteConnection db = SqliteConnection.open("jdbc:sqlite::memory:", "(in memory)", false);
        return create(db, "(in memory)", clock, policy, random);
    }

    private static SqliteJobQueue create(
            SqliteConnection db, String description, Clock clock, RetryPolicy policy, RandomGenerator random) {
        try {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(random, "random");
            db.write("create the schema", connection -> {
                SqliteSchema.migrate(connection, description);
                return null;
            });
            return new SqliteJobQueue(db, clock, policy, random);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    // ThreadLocalRandom.current() must be called on the thread that uses it.
    private static RandomGenerator threadLocalRandom() {
        return () -> ThreadLocalRandom.current().nextLong();
    }

    // ------------------------------------------------------------------ JobQueue

    @Override
    public String enqueue(JobSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String dedupeKey = spec.dedupeKey() == null || spec.dedupeKey().isBlank() ? null : spec.dedupeKey();
        String userKey = spec.user() == null ? ANONYMOUS_USER : spec.user();
        Long maxCostMicros = SqliteBudgets.micros("maxCostUsd", spec.maxCostUsd());
        String created = db.write("enqueue", connection -> {
            long now = clock.millis();
            if (dedupeKey != null) {
                Optional<String> active = queryString(
                        connection,
                        "SELECT id FROM jobs WHERE dedupe_key = ? AND status NOT IN " + SqliteSchema.TERMINAL
                                + " ORDER BY rowid LIMIT 1",
                        dedupeKey);
                if (active.isPresent()) {
                    return active.get();
                }
            }
            String id = UUID.randomUUID().toString();
            update(
                    connection,
                    "INSERT INTO jobs (id, status, source_url, source_full_name, source_branch, prompt,"
                            + " attempts, max_attempts, run_at, dedupe_key, created_at, updated_at, user_key, priority,"
                            + " max_cost_micros) VALUES (?, 'pending', ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    spec.source().url(),
                    spec.source().fullName(),
                    spec.source().branch(),
                    spec.prompt(),
                    spec.maxAttempts(),
                    spec.runAt() != null ? spec.runAt().toEpochMilli() : now,
                    dedupeKey,
                    now,
                    now,
                    userKey,
                    spec.priority(),
                    maxCostMicros);
            // why: a user's first job opens its lane, which a claim reads to know whose turn it is
            update(connection, "INSERT OR IGNORE INTO queue_lanes (user_key, last_claim_at) VALUES (?, 0)", userKey);
            return id;
        });
        watcher.changedHere();
        return created;
    }

    /** {@inheritDoc} Takes turns between users, as {@link #claimOne(ClaimRequest)} does. */
    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        return claimOne(ClaimRequest.of(workerId, leaseDuration)).job();
    }

    /**
     * {@inheritDoc}
     *
     * <p>One write transaction: the credential's pause is read once, and the answer says what the claim found (the
     * pause that held it back, or whether the job is the probe), so the worker needs no other read.
     */
    @Override
    public ClaimResult claimOne(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        Long defaultCap = SqliteBudgets.micros("defaultMaxCostUsd", request.defaultMaxCostUsd());
        int cap = maxRunningPerUser;
        return db.write("claim a job", connection -> {
            long now = clock.millis();
            // One read: while the credential is paused (or its probe is out), nothing is claimed with it.
            Optional<SqlitePauses.Row> pause = request.credential() == null
                    ? Optional.empty()
                    : SqlitePauses.read(connection, request.credential());
            if (pause.isPresent() && pause.get().blockedUntil(now).isPresent()) {
                return ClaimResult.pausedBy(pause.get().view());
            }
            reclaimExpiredLeases(connection, now);
            sweepCheckpointsIfDue(connection, now);
            // why: a row another program wrote may name an unusable source, and a job's budget may be spent; either
            // ends that job, and the next one is taken.
            for (int skipped = 0; skipped <= MAX_INVALID_SKIPPED_PER_CLAIM + SPENT_JOBS_PER_CLAIM; skipped++) {
                Optional<Optional<ClaimedJob>> claimed = claimNext(connection, request, defaultCap, cap, now);
                if (claimed.isPresent()) {
                    Optional<ClaimedJob> job = claimed.get();
                    if (job.isPresent() && pause.isPresent() && pause.get().probeDue(now)) {
                        SqlitePauses.startProbe(
                                connection,
                                request.credential(),
                                now,
                                request.workerId(),
                                job.get().id());
                        return ClaimResult.of(job.get().asProbe());
                    }
                    return ClaimResult.of(job);
                }
            }
            return ClaimResult.NONE;
        });
    }

    /**
     * Sets the cap on each user's live leases ({@code MAX_RUNNING_PER_USER}): a claim skips a user whose jobs
     * already hold that many unexpired leases. 0 (the default) is no cap: a single user gets the whole fleet when
     * nobody else waits. It applies to this process's claims only; every process sharing the file should set the
     * same value.
     *
     * @param cap from 0 to {@value #MAX_RUNNING_PER_USER_LIMIT}
     * @return this queue
     */
    public SqliteJobQueue maxRunningPerUser(int cap) {
        if (cap < 0 || cap > MAX_RUNNING_PER_USER_LIMIT) {
            throw new IllegalArgumentException(
                    "MAX_RUNNING_PER_USER must be from 0 (no cap) to " + MAX_RUNNING_PER_USER_LIMIT + ", was " + cap);
        }
        this.maxRunningPerUser = cap;
        return this;
    }

    /** The cap on each user's live leases (0: none). */
    public int maxRunningPerUser() {
        return maxRunningPerUser;
    }

    /** Sweeps orphaned checkpoints when the last sweep of this queue is {@link SqliteCheckpoints#SWEEP_INTERVAL} old. */
    private void sweepCheckpointsIfDue(Connection connection, long now) throws SQLException {
        if (lastCheckpointSweep != Long.MIN_VALUE
                && now - lastCheckpointSweep < SqliteCheckpoints.SWEEP_INTERVAL.toMillis()) {
            return;
        }
        lastCheckpointSweep = now;
        SqliteCheckpoints.sweep(connection, now);
    }

    /** At most this many unusable jobs are failed by one claim before it answers "nothing due". */
    private static final int MAX_INVALID_SKIPPED_PER_CLAIM = 20;

    /** @return the claim or none due; empty when the next job was unusable or its budget spent, and it ended */
    private Optional<Optional<ClaimedJob>> claimNext(
            Connection connection, ClaimRequest request, Long defaultCap, int cap, long now) throws SQLException {
        Optional<String> turn = nextUser(connection, now, cap);
        if (turn.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        String userKey = turn.get();
        try (PreparedStatement select = connection.prepareStatement(NEXT_JOB_SQL)) {
            select.setString(1, userKey);
            select.setLong(2, now);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.of(Optional.empty());
                }
                JobStateMachine.requireTransition(JobStatus.PENDING, JobStatus.CLAIMED);
                String id = row.getString("id");
                CloneSource source;
                try {
                    source = source(row);
                } catch (IllegalArgumentException e) {
                    update(
                            connection,
                            "UPDATE jobs SET status = 'failed', attempts = attempts + 1, last_error = ?,"
                                    + " completed_at = ?, updated_at = ? WHERE id = ?",
                            "invalid job: " + e.getMessage(),
                            now,
                            now,
                            id);
                    return Optional.empty();
                }
                String prompt = row.getString("prompt");
                int attempts = row.getInt("attempts");
                int maxAttempts = row.getInt("max_attempts");
                int priority = row.getInt("priority");
                long spent = row.getLong("cost_micros");
                Long own = nullableLong(row, "max_cost_micros");
                Long costLimit = own != null ? own : defaultCap;
                if (SqliteBudgets.isSpent(costLimit, spent)) {
                    // Nothing is left for an attempt: dead, no attempt counted, with a message that says so.
                    JobStateMachine.requireTransition(JobStatus.PENDING, JobStatus.DEAD);
                    update(
                            connection,
                            "UPDATE jobs SET status = 'dead', last_error = ?, cost_limit_micros = ?, completed_at = ?,"
                                    + " updated_at = ? WHERE id = ?",
                            SqliteBudgets.spentMessage(spent, costLimit, attempts, row.getString("last_error")),
                            costLimit,
                            now,
                            now,
                            id);
                    return Optional.empty();
                }
                // run_at is when the job became claimable: its creation, a retry's backoff end, its release.
                Instant dueAt = Instant.ofEpochMilli(row.getLong("run_at"));
                String token = UUID.randomUUID().toString();
                long until = now + request.lease().toMillis();
                // why: the attempt counts from its start (Oban's convention), so every view of a running job says
                // which attempt runs
                update(
                        connection,
                        "UPDATE jobs SET status = 'claimed', attempts = attempts + 1, locked_by = ?, lease_until = ?,"
                                + " lease_token = ?, cost_limit_micros = ?, updated_at = ? WHERE id = ?",
                        request.workerId(),
                        until,
                        token,
                        costLimit,
                        now,
                        id);
                recordTurn(connection, userKey, now);
                JobLease lease = new JobLease(id, request.workerId(), token, Instant.ofEpochMilli(until));
                ClaimTerms terms = new ClaimTerms(
                        userKey,
                        priority,
                        SqliteBudgets.usd(spent),
                        SqliteBudgets.usd(SqliteBudgets.left(costLimit, spent)));
                return Optional.of(Optional.of(
                        new ClaimedJob(id, source, prompt, attempts + 1, maxAttempts, lease, null, dueAt, terms)));
            }
        }
    }

    /**
     * Whose turn it is: among users with a due pending job and room under {@code cap} (0: none), the one whose last
     * claim is oldest; ties by the oldest due job, then by the lane's age. One lane row and one or two index probes
     * per user with jobs.
     */
    private static Optional<String> nextUser(Connection connection, long now, int cap) throws SQLException {
        // why: a due job that another program inserted without a lane still gets its turn
        update(
                connection,
                "INSERT OR IGNORE INTO queue_lanes (user_key, last_claim_at) SELECT user_key, 0 FROM jobs"
                        + " WHERE status = 'pending' AND run_at <= ? ORDER BY run_at LIMIT 1",
                now);
        try (PreparedStatement select = connection.prepareStatement(nextUserSql(cap != 0))) {
            select.setLong(1, now);
            if (cap != 0) {
                select.setLong(2, now);
                select.setInt(3, cap);
            }
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * The query of {@link #nextUser}: parameters {@code now}, and with a cap {@code now} and the cap. Package-private
     * for the test that checks its plan reads jobs through indexes only.
     */
    static String nextUserSql(boolean capped) {
        String underCap = capped
                ? " AND (SELECT COUNT(*) FROM jobs r WHERE r.user_key = lane_user AND r.lease_until > ? AND r.status IN "
                        + SqliteSchema.LEASED + ") < ?"
                : "";
        return "SELECT lane_user FROM ("
                + "SELECT l.user_key AS lane_user, l.last_claim_at AS last_claim, l.rowid AS lane_order,"
                + " (SELECT MIN(j.run_at) FROM jobs j WHERE j.status = 'pending' AND j.user_key = l.user_key"
                + " AND j.run_at <= ?) AS due_at FROM queue_lanes l)"
                + " WHERE due_at IS NOT NULL" + underCap
                + " ORDER BY last_claim, due_at, lane_order LIMIT 1";
    }

    /** The query of a user's next job: parameters the user key and {@code now}. */
    static final String NEXT_JOB_SQL = "SELECT id, source_url, source_full_name,"
            + " source_branch, prompt, attempts, max_attempts, run_at, priority, cost_micros, max_cost_micros,"
            + " last_error FROM jobs WHERE status = 'pending' AND user_key = ? AND run_at <= ?"
            + " ORDER BY priority DESC, run_at, rowid LIMIT 1";

    /** Records a claim from {@code userKey}'s lane, stamped strictly after every earlier claim: it goes last. */
    private static void recordTurn(Connection connection, String userKey, long now) throws SQLException {
        update(
                connection,
                "UPDATE queue_lanes SET last_claim_at = MAX(?, (SELECT COALESCE(MAX(last_claim_at), 0) + 1"
                        + " FROM queue_lanes)) WHERE user_key = ?",
                now,
                userKey);
    }

    /**
     * Jobs whose holder vanished: their attempt (counted when it was claimed) is over; pending and due at once, or
     * dead when it was the last. A canceled job whose holder vanished only loses its stale lock.
     */
    private void reclaimExpiredLeases(Connection connection, long now) throws SQLException {
        update(
                connection,
                "UPDATE jobs SET locked_by = NULL, lease_until = NULL, lease_token = NULL WHERE lease_until <= ?"
                        + " AND status = 'canceled'",
                now);
        record Expired(String id, JobStatus status, int attempts, int maxAttempts, String lockedBy) {}
        List<Expired> expired = new ArrayList<>();
        try (PreparedStatement select =
                connection.prepareStatement("SELECT id, status, attempts, max_attempts, locked_by FROM jobs"
                        + " WHERE lease_until <= ? AND status IN " + SqliteSchema.LEASED)) {
            select.setLong(1, now);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    expired.add(new Expired(
                            row.getString(1),
                            JobStatus.fromWire(row.getString(2)),
                            row.getInt(3),
                            row.getInt(4),
                            row.getString(5)));
                }
            }
        }
        for (Expired job : expired) {
            JobStatus next = policy.afterExpiredLease(spentBefore(job.attempts()), job.maxAttempts());
            JobStateMachine.requireTransition(job.status(), next);
            update(
                    connection,
                    "UPDATE jobs SET status = ?, attempts = MAX(attempts, 1), run_at = ?, locked_by = NULL,"
                            + " lease_until = NULL, lease_token = NULL, last_error = ?, updated_at = ?,"
                            + " completed_at = ? WHERE id = ?",
                    next.wireName(),
                    now,
                    "lease expired while held by " + job.lockedBy(),
                    now,
                    next.isTerminal() ? now : null,
                    job.id());
        }
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        Objects.requireNonNull(lease, "lease");
        QueueArguments.requireLease(leaseDuration);
        QueueArguments.requireWorkPhase(phase);
        // why: tried once, as the SPI says: the heartbeat's caller knows the lease deadline and retries itself
        return db.writeOnce("heartbeat", connection -> {
            long now = clock.millis();
            Optional<Holding> holding = holding(connection, lease);
            if (holding.isEmpty()) {
                return HeartbeatResult.lost(lease);
            }
            JobStatus status = holding.get().status();
            if (status == JobStatus.CANCELED) {
                // Still the holder, told to stop; nothing about the job changes any more.
                return new HeartbeatResult(true, true, lease);
            }
            if (!status.isLeased()) {
                return HeartbeatResult.lost(lease);
            }
            JobStatus next = phase != null ? phase : status;
            if (next != status) {
                JobStateMachine.requireTransition(status, next);
            }
            long until = now + leaseDuration.toMillis();
            if (progress != null) {
                update(
                        connection,
                        "UPDATE jobs SET status = ?, lease_until = ?, progress_message = ?, current_step = ?,"
                                + " total_steps = ?, updated_at = ? WHERE id = ?",
                        next.wireName(),
                        until,
                        progress.message(),
                        progress.step(),
                        progress.totalSteps(),
                        now,
                        lease.jobId());
            } else {
                update(
                        connection,
                        "UPDATE jobs SET status = ?, lease_until = ?, updated_at = ? WHERE id = ?",
                        next.wireName(),
                        until,
                        now,
                        lease.jobId());
            }
            return new HeartbeatResult(true, false, lease.renewedUntil(Instant.ofEpochMilli(until)));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: the documents replace whatever the job had and the job is completed, or nothing changes.
     */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion) {
        return complete(lease, completion, null);
    }

    /** {@inheritDoc} The cost is added in the completion's own transaction. */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        Long cost = SqliteBudgets.micros("attemptCostUsd", attemptCostUsd);
        Objects.requireNonNull(completion, "completion");
        limits().requireFits(completion.documents());
        JobResult result = completion.result();
        String json = ResultJson.write(result);
        return db.write("complete", connection -> {
            long now = clock.millis();
            Optional<Holding> holding = holding(connection, lease);
            if (holding.isEmpty()) {
                return CompleteOutcome.NOT_HELD;
            }
            JobStatus status = holding.get().status();
            if (status == JobStatus.COMPLETED) {
                return CompleteOutcome.ALREADY_COMPLETED;
            }
            if (status == JobStatus.CANCELED) {
                clearLock(connection, lease.jobId());
                addCost(connection, lease.jobId(), cost);
                return CompleteOutcome.CANCELED;
            }
            if (!status.isLeased()) {
                return CompleteOutcome.NOT_HELD;
            }
            JobStateMachine.requireTransition(status, JobStatus.COMPLETED);
            addCost(connection, lease.jobId(), cost);
            replaceDocuments(connection, lease.jobId(), completion.documents(), now);
            // The lease token moves to completed_by, so that a repeated call by the same holder is recognised; the
            // completing attempt was counted when it was claimed.
            update(
                    connection,
                    "UPDATE jobs SET status = 'completed', result = ?, docs_count = ?, completed_by = lease_token,"
                            + " locked_by = NULL, lease_until = NULL, lease_token = NULL, completed_at = ?,"
                            + " updated_at = ? WHERE id = ?",
                    json,
                    result.documentCount(),
                    now,
                    now,
                    lease.jobId());
            recordProgress(connection, lease.jobId(), completion.progress());
            return CompleteOutcome.COMPLETED;
        });
    }

    private static void replaceDocuments(Connection connection, String jobId, List<Document> documents, long now)
            throws SQLException {
        update(connection, "DELETE FROM documents WHERE job_id = ?", jobId);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO documents (job_id, slug, title,"
                + " chapter_index, kind, content, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (job_id, slug) DO UPDATE SET title = excluded.title,"
                + " chapter_index = excluded.chapter_index, kind = excluded.kind, content = excluded.content,"
                + " updated_at = excluded.updated_at")) {
            for (Document document : documents) {
                bind(
                        insert,
                        jobId,
                        document.slug(),
                        document.title(),
                        document.chapterIndex(),
                        document.kind().wireName(),
                        document.content(),
                        now,
                        now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void recordProgress(Connection connection, String jobId, Progress progress) throws SQLException {
        if (progress != null) {
            update(
                    connection,
                    "UPDATE jobs SET progress_message = ?, current_step = ?, total_steps = ? WHERE id = ?",
                    progress.message(),
                    progress.step(),
                    progress.totalSteps(),
                    jobId);
        }
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        return retryOrFail(lease, failure, progress, null);
    }

    /**
     * {@inheritDoc} The cost is added in the failure's own transaction; a retryable failure that leaves nothing of
     * the job's cap ends it {@code dead} with the budget message (the Convex functions' words).
     */
    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failure, "failure");
        Long cost = SqliteBudgets.micros("attemptCostUsd", attemptCostUsd);
        RetryDecision result = db.write("record a failure", connection -> {
            long now = clock.millis();
            if (canceledAndHeld(connection, lease)) {
                // The cancellation stands; only the lock is given back.
                clearLock(connection, lease.jobId());
                addCost(connection, lease.jobId(), cost);
                return new RetryDecision.NotHeld();
            }
            Optional<Holding> holding = held(connection, lease);
            if (holding.isEmpty()) {
                return new RetryDecision.NotHeld();
            }
            Holding job = holding.get();
            addCost(connection, lease.jobId(), cost);
            if (failure.retryable() && endIfBudgetSpent(connection, lease.jobId(), job, failure.message(), now)) {
                recordProgress(connection, lease.jobId(), progress);
                return new RetryDecision.GaveUp(JobStatus.DEAD, Math.max(job.attempts(), 1));
            }
            // why: the failing attempt was counted when it was claimed; the policy wants those spent before it
            RetryDecision decision = policy.decide(
                    spentBefore(job.attempts()),
                    job.maxAttempts(),
                    failure,
                    Instant.ofEpochMilli(now),
                    random.nextDouble());
            endAttempt(connection, lease.jobId(), job, decision, failure.message(), now);
            recordProgress(connection, lease.jobId(), progress);
            return decision;
        });
        watcher.changedHere();
        return result;
    }

    @Override
    public boolean release(JobLease lease) {
        return release(lease, null);
    }

    /** {@inheritDoc} The cost is added in the release's own transaction. */
    @Override
    public boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        Long cost = SqliteBudgets.micros("attemptCostUsd", attemptCostUsd);
        boolean result = db.write("release", connection -> {
            long now = clock.millis();
            if (canceledAndHeld(connection, lease)) {
                // The cancellation stands, in the attempt it was made in; only the lock is given back.
                clearLock(connection, lease.jobId());
                addCost(connection, lease.jobId(), cost);
                return false;
            }
            Optional<Holding> holding = held(connection, lease);
            if (holding.isEmpty()) {
                return false;
            }
            addCost(connection, lease.jobId(), cost);
            JobStateMachine.requireTransition(holding.get().status(), JobStatus.PENDING);
            // why: the attempt given back was counted when it was claimed
            update(
                    connection,
                    "UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), run_at = ?,"
                            + " locked_by = NULL, lease_until = NULL, lease_token = NULL, updated_at = ? WHERE id = ?",
                    now,
                    now,
                    lease.jobId());
            return true;
        });
        watcher.changedHere();
        return result;
    }

    @Override
    public boolean cancel(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        boolean result = db.write("cancel", connection -> {
            long now = clock.millis();
            Optional<String> current = queryString(connection, "SELECT status FROM jobs WHERE id = ?", jobId);
            if (current.isEmpty()) {
                return false;
            }
            JobStatus status = JobStatus.fromWire(current.get());
            if (!JobStateMachine.canTransition(status, JobStatus.CANCELED)) {
                return false;
            }
            // A running job keeps its holder and token until the holder, told by its next heartbeat (or at once by
            // watchCancellation), gives the lock back. An earlier attempt's error is not the canceled job's own.
            update(
                    connection,
                    "UPDATE jobs SET status = 'canceled', cancel_requested = 1, last_error = NULL, completed_at = ?,"
                            + " updated_at = ? WHERE id = ?",
                    now,
                    now,
                    jobId);
            return true;
        });
        watcher.changedHere();
        return result;
    }

    @Override
    public Optional<JobSnapshot> get(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return db.read("read a job", connection -> {
            try (PreparedStatement select =
                    connection.prepareStatement("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?")) {
                select.setString(1, jobId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(snapshot(row)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        return db.read("list jobs", connection -> {
            String where = status == null ? "" : " WHERE status = ?";
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + JOB_COLUMNS + " FROM jobs" + where + " ORDER BY created_at DESC, rowid DESC LIMIT ?")) {
                int index = 1;
                if (status != null) {
                    select.setString(index++, status.wireName());
                }
                select.setInt(index, limit);
                List<JobSnapshot> jobs = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        jobs.add(snapshot(row));
                    }
                }
                return jobs;
            }
        });
    }

    /** {@inheritDoc} One {@code GROUP BY} over the {@code (status, run_at)} index. */
    @Override
    public Optional<Map<JobStatus, Long>> countByStatus() {
        return Optional.of(db.read("count jobs", connection -> {
            Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
            for (JobStatus status : JobStatus.values()) {
                counts.put(status, 0L);
            }
            try (PreparedStatement select =
                            connection.prepareStatement("SELECT status, COUNT(*) FROM jobs GROUP BY status");
                    ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    counts.put(JobStatus.fromWire(row.getString(1)), row.getLong(2));
                }
            }
            return counts;
        }));
    }

    // The rows depth counts, each read through an index (SqliteDepthTest checks their plans); ? is the instant asked.
    static final String DEPTH_PENDING = "SELECT 1 FROM jobs WHERE status = 'pending'";
    static final String DEPTH_DUE_PENDING = "SELECT 1 FROM jobs WHERE status = 'pending' AND run_at <= ?";
    static final String DEPTH_EXPIRED_LEASES =
            "SELECT 1 FROM jobs WHERE lease_until IS NOT NULL AND lease_until <= ? AND status IN "
                    + SqliteSchema.LEASED;
    static final String DEPTH_LIVE_LEASES = "SELECT 1 FROM jobs WHERE lease_until IS NOT NULL AND lease_until > ?";
    static final String DEPTH_PAUSED_CREDENTIALS =
            "SELECT 1 FROM llm_pauses WHERE until > ? OR (probe_until > until AND probe_until > ?)";

    /** Where {@link #depth} stops counting: 1,000, the Convex route's largest limit; far above any fleet. */
    public static final int DEPTH_LIMIT = 1_000;

    /**
     * {@inheritDoc} Four index ranges in one read transaction, each stopping after {@link #DEPTH_LIMIT} + 1 rows:
     * pending on {@code (status, run_at)}, due ones on the same range up to {@code now}, live and expired leases on
     * the partial {@code lease_until} index. {@code running} counts every live lease (a canceled job keeps its lock
     * until its holder lets go: it still takes a slot); {@code due} adds the expired leases of working jobs (a claim
     * takes them over). {@code paused} counts LLM credentials, not jobs (as the Convex route does): those whose
     * claims are held back now, by a pause in force or its probe claim still out ({@code llm_pauses}, a handful of
     * rows). A per-user cap ({@link #maxRunningPerUser}) is not applied to {@code due}: more workers than claimable
     * jobs, never fewer.
     */
    @Override
    public Optional<DepthCounts> depth(Instant now) {
        Objects.requireNonNull(now, "now");
        long at = now.toEpochMilli();
        return Optional.of(db.read("count the depth", connection -> {
            long pending = countUpTo(connection, DEPTH_PENDING);
            long duePending = countUpTo(connection, DEPTH_DUE_PENDING, at);
            long expired = countUpTo(connection, DEPTH_EXPIRED_LEASES, at);
            long running = countUpTo(connection, DEPTH_LIVE_LEASES, at);
            long paused = countUpTo(connection, DEPTH_PAUSED_CREDENTIALS, at, at);
            Set<DepthCounts.Count> capped = EnumSet.noneOf(DepthCounts.Count.class);
            long due = duePending + expired;
            return new DepthCounts(
                    capDepth(pending, DepthCounts.Count.PENDING, capped),
                    capDepth(due, DepthCounts.Count.DUE, capped),
                    capDepth(running, DepthCounts.Count.RUNNING, capped),
                    capDepth(paused, DepthCounts.Count.PAUSED, capped),
                    capped);
        }));
    }

    /** The rows of {@code select} (its parameters bound in order), counted up to {@link #DEPTH_LIMIT} + 1. */
    private static long countUpTo(Connection connection, String select, Object... parameters) throws SQLException {
        try (PreparedStatement count =
                connection.prepareStatement("SELECT COUNT(*) FROM (" + select + " LIMIT " + (DEPTH_LIMIT + 1) + ")")) {
            for (int i = 0; i < parameters.length; i++) {
                count.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = count.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    private static long capDepth(long value, DepthCounts.Count count, Set<DepthCounts.Count> capped) {
        if (value > DEPTH_LIMIT) {
            capped.add(count);
            return DEPTH_LIMIT;
        }
        return value;
    }

    @Override
    public List<Document> documents(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return db.read("read documents", connection -> {
            // Only a completed job has a course (documents are written by the completion alone).
            try (PreparedStatement select = connection.prepareStatement("SELECT d.slug, d.title, d.chapter_index,"
                    + " d.kind, d.content FROM documents d JOIN jobs j ON j.id = d.job_id"
                    + " WHERE d.job_id = ? AND j.status = 'completed'")) {
                select.setString(1, jobId);
                List<Document> documents = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        documents.add(new Document(
                                row.getString("slug"),
                                row.getString("title"),
                                nullableInt(row, "chapter_index"),
                                DocumentKind.fromWire(row.getString("kind")),
                                row.getString("content")));
                    }
                }
                return DocumentReadingOrder.sorted(documents);
            }
        });
    }

    // ------------------------------------------------------------------ checkpoints

    @Override
    public CheckpointSupport checkpointSupport() {
        return CheckpointSupport.SUPPORTED;
    }

    @Override
    public Optional<Checkpoint> openCheckpoint(JobLease lease) {
        Objects.requireNonNull(lease, "lease");
        return db.write("open a checkpoint", connection -> SqliteCheckpoints.open(connection, lease, clock.millis()));
    }

    @Override
    public Optional<Checkpoint> checkpoint(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return db.read("read a checkpoint", connection -> SqliteCheckpoints.read(connection, jobId));
    }

    /**
     * {@inheritDoc}
     *
     * @throws JobQueueException.Rejected naming the file when it is larger than {@link #limits()} allows
     */
    @Override
    public CheckpointWrite saveCheckpointFile(
            JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fence, "fence");
        requireCheckpointFileFits(file);
        return db.write(
                "save a checkpoint file",
                connection -> SqliteCheckpoints.save(connection, lease, basis, file, fence, clock.millis()));
    }

    @Override
    public CheckpointWrite removeCheckpointFiles(JobLease lease, Collection<String> paths) {
        Objects.requireNonNull(lease, "lease");
        List<String> copy = List.copyOf(paths);
        return db.write(
                "remove checkpoint files",
                connection -> SqliteCheckpoints.remove(connection, lease, copy, clock.millis()));
    }

    @Override
    public CheckpointWrite finishCheckpoint(
            JobLease lease, CheckpointBasis basis, Collection<String> paths, CheckpointFence fence) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(fence, "fence");
        List<String> copy = List.copyOf(paths);
        return db.write(
                "finish a checkpoint",
                connection -> SqliteCheckpoints.finish(connection, lease, basis, copy, fence, clock.millis()));
    }

    private void requireCheckpointFileFits(CheckpointFile file) {
        int size = file.contentBytes();
        int limit = limits().maxDocumentContentBytes();
        if (size > limit) {
            throw new JobQueueException.Rejected("checkpoint file '" + file.path() + "' is " + size
                    + " bytes; the queue keeps at most " + limit + " bytes per file (it is redone on resume)");
        }
    }

    // ------------------------------------------------------------------ fleet: pauses, budgets (issue 22)

    /** Every rule: fair claims, one pause per LLM credential, budgets across attempts. */
    @Override
    public FleetSupport fleetSupport() {
        return FleetSupport.ALL;
    }

    @Override
    public LlmPause recordPause(String workerId, String credential, LlmLimitKind kind, Duration retryAfter) {
        QueueArguments.requireWorkerId(workerId);
        requireCredential(credential);
        Objects.requireNonNull(kind, "kind");
        Long retryAfterMs = SqlitePauses.retryAfterMs(retryAfter);
        LlmPause pause = db.write(
                "record an LLM pause",
                connection -> SqlitePauses.recordLimit(
                                connection,
                                credential,
                                kind,
                                retryAfterMs,
                                workerId,
                                clock.millis(),
                                random.nextDouble())
                        .view());
        // why: claims of other processes wait for the pause's end anyway; waking them costs nothing and keeps the
        // watch's promise (a change may make work due) simple
        watcher.changedHere();
        return pause;
    }

    @Override
    public boolean clearPause(String workerId, String credential) {
        QueueArguments.requireWorkerId(workerId);
        requireCredential(credential);
        boolean cleared = db.write(
                "clear an LLM pause", connection -> SqlitePauses.clear(connection, credential, clock.millis()));
        if (cleared) {
            watcher.changedHere();
        }
        return cleared;
    }

    @Override
    public Optional<LlmPause> pause(String credential) {
        requireCredential(credential);
        return db.read(
                "read an LLM pause",
                connection -> SqlitePauses.read(connection, credential).map(SqlitePauses.Row::view));
    }

    @Override
    public List<LlmPause> pauses() {
        return db.read("read the LLM pauses", connection -> SqlitePauses.inForce(connection, clock.millis()));
    }

    @Override
    public RateLimitedRelease releaseRateLimited(
            JobLease lease,
            String credential,
            LlmLimitKind kind,
            Duration retryAfter,
            String error,
            BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        requireCredential(credential);
        Objects.requireNonNull(kind, "kind");
        Long retryAfterMs = SqlitePauses.retryAfterMs(retryAfter);
        Long cost = SqliteBudgets.micros("attemptCostUsd", attemptCostUsd);
        String message = JobFailure.of(FailureKind.RATE_LIMITED, error).message();
        RateLimitedRelease result = db.write("release a rate-limited job", connection -> {
            long now = clock.millis();
            // The limit is a fact about the credential, whoever holds the job now.
            LlmPause pause = SqlitePauses.recordLimit(
                            connection, credential, kind, retryAfterMs, lease.workerId(), now, random.nextDouble())
                    .view();
            int releases = rateLimitedReleases(connection, lease.jobId());
            if (canceledAndHeld(connection, lease)) {
                clearLock(connection, lease.jobId());
                addCost(connection, lease.jobId(), cost);
                update(connection, "UPDATE jobs SET last_error = ? WHERE id = ?", message, lease.jobId());
                return notHeld(connection, lease, pause, releases);
            }
            Optional<Holding> holding = held(connection, lease);
            if (holding.isEmpty()) {
                return notHeld(connection, lease, pause, releases);
            }
            Holding job = holding.get();
            addCost(connection, lease.jobId(), cost);
            if (endIfBudgetSpent(connection, lease.jobId(), job, message, now)) {
                return new RateLimitedRelease(
                        pause, RateLimitedRelease.Outcome.DEAD, Math.max(job.attempts(), 1), releases, null);
            }
            if (releases < RateLimitedRelease.FREE_RELEASES) {
                JobStateMachine.requireTransition(job.status(), JobStatus.PENDING);
                int attempts = Math.max(job.attempts() - 1, 0);
                // Due at once: a worker with another credential may run it; this credential's claims wait for the
                // pause. The attempt its claim counted is given back.
                update(
                        connection,
                        "UPDATE jobs SET status = 'pending', attempts = ?, run_at = ?, rate_limited_releases = ?,"
                                + " last_error = ?, locked_by = NULL, lease_until = NULL, lease_token = NULL,"
                                + " updated_at = ? WHERE id = ?",
                        attempts,
                        now,
                        releases + 1,
                        message,
                        now,
                        lease.jobId());
                return new RateLimitedRelease(pause, RateLimitedRelease.Outcome.RELEASED, attempts, releases + 1, null);
            }
            // Past the free releases the limit spends the attempt like any retryable failure, retried no earlier
            // than the pause's end: nothing loops for ever.
            String counted = message + " [rate limited " + (releases + 1) + " times: this attempt counts]";
            Duration untilPauseEnds = Duration.ofMillis(Math.max(pause.until().toEpochMilli() - now, 0));
            RetryDecision decision = policy.decide(
                    spentBefore(job.attempts()),
                    job.maxAttempts(),
                    new JobFailure(FailureKind.RATE_LIMITED, counted, untilPauseEnds),
                    Instant.ofEpochMilli(now),
                    random.nextDouble());
            endAttempt(connection, lease.jobId(), job, decision, counted, now);
            if (decision instanceof RetryDecision.Retrying retrying) {
                return new RateLimitedRelease(
                        pause,
                        RateLimitedRelease.Outcome.RETRYING,
                        retrying.attempts(),
                        releases,
                        retrying.nextRunAt());
            }
            RetryDecision.GaveUp gaveUp = (RetryDecision.GaveUp) decision;
            return new RateLimitedRelease(pause, RateLimitedRelease.Outcome.DEAD, gaveUp.attempts(), releases, null);
        });
        watcher.changedHere();
        return result;
    }

    /** Writes the policy's decision for the held job's failed attempt: pending after the backoff, or ended. */
    private static void endAttempt(
            Connection connection, String jobId, Holding job, RetryDecision decision, String error, long now)
            throws SQLException {
        if (decision instanceof RetryDecision.Retrying retrying) {
            JobStateMachine.requireTransition(job.status(), JobStatus.PENDING);
            update(
                    connection,
                    "UPDATE jobs SET status = 'pending', attempts = ?, run_at = ?, locked_by = NULL,"
                            + " lease_until = NULL, lease_token = NULL, last_error = ?, updated_at = ? WHERE id = ?",
                    retrying.attempts(),
                    retrying.nextRunAt().toEpochMilli(),
                    error,
                    now,
                    jobId);
        } else if (decision instanceof RetryDecision.GaveUp gaveUp) {
            JobStateMachine.requireTransition(job.status(), gaveUp.status());
            update(
                    connection,
                    "UPDATE jobs SET status = ?, attempts = ?, locked_by = NULL, lease_until = NULL,"
                            + " lease_token = NULL, last_error = ?, completed_at = ?, updated_at = ? WHERE id = ?",
                    gaveUp.status().wireName(),
                    gaveUp.attempts(),
                    error,
                    now,
                    now,
                    jobId);
        }
    }

    private static RateLimitedRelease notHeld(Connection connection, JobLease lease, LlmPause pause, int releases)
            throws SQLException {
        Optional<String> attempts = queryString(connection, "SELECT attempts FROM jobs WHERE id = ?", lease.jobId());
        return new RateLimitedRelease(
                pause,
                RateLimitedRelease.Outcome.NOT_HELD,
                attempts.map(Integer::parseInt).orElse(0),
                releases,
                null);
    }

    private static int rateLimitedReleases(Connection connection, String jobId) throws SQLException {
        return queryString(connection, "SELECT rate_limited_releases FROM jobs WHERE id = ?", jobId)
                .map(Integer::parseInt)
                .orElse(0);
    }

    /** Adds an attempt's cost to the job's total; {@code null} (unknown) adds nothing. */
    private static void addCost(Connection connection, String jobId, Long micros) throws SQLException {
        if (micros != null && micros > 0) {
            update(connection, "UPDATE jobs SET cost_micros = cost_micros + ? WHERE id = ?", micros, jobId);
        }
    }

    /**
     * Ends the held job {@code dead} with the budget message when its costs leave nothing of its cap (the one its
     * claim set, else its own), whatever attempts are left.
     *
     * @return whether it ended
     */
    private static boolean endIfBudgetSpent(
            Connection connection, String jobId, Holding job, String lastError, long now) throws SQLException {
        long spent;
        Long cap;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT cost_micros, COALESCE(cost_limit_micros, max_cost_micros) FROM jobs WHERE id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return false;
                }
                spent = row.getLong(1);
                long value = row.getLong(2);
                cap = row.wasNull() ? null : value;
            }
        }
        if (!SqliteBudgets.isSpent(cap, spent)) {
            return false;
        }
        int attempts = Math.max(job.attempts(), 1);
        JobStateMachine.requireTransition(job.status(), JobStatus.DEAD);
        update(
                connection,
                "UPDATE jobs SET status = 'dead', attempts = ?, locked_by = NULL, lease_until = NULL,"
                        + " lease_token = NULL, last_error = ?, cost_limit_micros = ?, completed_at = ?, updated_at = ?"
                        + " WHERE id = ?",
                attempts,
                SqliteBudgets.spentMessage(spent, cap, attempts, lastError),
                cap,
                now,
                now,
                jobId);
        return true;
    }

    private static void requireCredential(String credential) {
        Objects.requireNonNull(credential, "credential");
        ClaimRequest.requireFingerprint(credential);
    }

    /** Pushes news of work at once for this process's changes, and within 100 ms for other processes'. */
    @Override
    public QueueWatch watchWork(Runnable onWorkMayBeDue) {
        return watcher.watchWork(Objects.requireNonNull(onWorkMayBeDue, "onWorkMayBeDue"));
    }

    /** Pushes a cancellation at once when made through this process, within 100 ms when made by another. */
    @Override
    public QueueWatch watchCancellation(JobLease lease, Runnable onCancelRequested) {
        return watcher.watchCancellation(
                Objects.requireNonNull(lease, "lease"), Objects.requireNonNull(onCancelRequested, "onCancelRequested"));
    }

    @Override
    public void close() {
        watcher.close();
        db.close();
    }

    // ------------------------------------------------------------------ helpers

    /** The job as its holder knows it, when {@code lease} is the job's current lease token. */
    private record Holding(JobStatus status, int attempts, int maxAttempts) {}

    private static Optional<Holding> holding(Connection connection, JobLease lease) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT status, attempts, max_attempts FROM jobs"
                + " WHERE id = ? AND (lease_token = ? OR status = 'completed' AND completed_by = ?)")) {
            select.setString(1, lease.jobId());
            select.setString(2, lease.token());
            select.setString(3, lease.token());
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? Optional.of(new Holding(JobStatus.fromWire(row.getString(1)), row.getInt(2), row.getInt(3)))
                        : Optional.empty();
            }
        }
    }

    /** Whether {@code lease} still holds the lock of a job that was canceled meanwhile. */
    private static boolean canceledAndHeld(Connection connection, JobLease lease) throws SQLException {
        return holding(connection, lease)
                .filter(job -> job.status() == JobStatus.CANCELED)
                .isPresent();
    }

    private void clearLock(Connection connection, String jobId) throws SQLException {
        update(
                connection,
                "UPDATE jobs SET locked_by = NULL, lease_until = NULL, lease_token = NULL, updated_at = ? WHERE id = ?",
                clock.millis(),
                jobId);
    }

    /** The attempts spent before the running one, whose number {@code attempts} is (at least 1: it runs). */
    private static int spentBefore(int attempts) {
        return Math.max(attempts, 1) - 1;
    }

    /** The job when {@code lease} is its current lease and it is still being worked on (not ended, not canceled). */
    private static Optional<Holding> held(Connection connection, JobLease lease) throws SQLException {
        return holding(connection, lease).filter(job -> job.status().isLeased());
    }

    private static JobSnapshot snapshot(ResultSet row) throws SQLException {
        Integer step = nullableInt(row, "current_step");
        Integer total = nullableInt(row, "total_steps");
        Progress progress =
                step != null && total != null ? new Progress(step, total, row.getString("progress_message")) : null;
        return new JobSnapshot(
                row.getString("id"),
                JobStatus.fromWire(row.getString("status")),
                sourceOrNull(row),
                row.getString("prompt"),
                row.getInt("attempts"),
                row.getInt("max_attempts"),
                instant(row, "run_at"),
                row.getString("locked_by"),
                instant(row, "lease_until"),
                progress,
                row.getString("last_error"),
                ResultJson.read(row.getString("result")),
                row.getInt("docs_count"),
                row.getInt("cancel_requested") != 0,
                instant(row, "created_at"),
                instant(row, "updated_at"),
                instant(row, "completed_at"),
                row.getString("user_key"),
                row.getInt("priority"),
                SqliteBudgets.usd(row.getLong("cost_micros")),
                SqliteBudgets.usd(maxCostInForce(row)));
    }

    /** The job's own cap, else the one its last claim set, or {@code null}. */
    private static Long maxCostInForce(ResultSet row) throws SQLException {
        Long own = nullableLong(row, "max_cost_micros");
        return own != null ? own : nullableLong(row, "cost_limit_micros");
    }

    private static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    /** The row's source, or null when it is unusable: a bad source must not hide the rest of the job. */
    private static CloneSource sourceOrNull(ResultSet row) throws SQLException {
        try {
            return source(row);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static CloneSource source(ResultSet row) throws SQLException {
        return new CloneSource(
                row.getString("source_url"), row.getString("source_full_name"), row.getString("source_branch"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        long millis = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    private static Integer nullableInt(ResultSet row, String column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    private static Optional<String> queryString(Connection connection, String sql, String parameter)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
            }
        }
    }

    static void update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value == null) {
                statement.setNull(i + 1, Types.NULL);
            } else if (value instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (value instanceof Integer number) {
                statement.setInt(i + 1, number);
            } else if (value instanceof String text) {
                statement.setString(i + 1, text);
            } else {
                throw new IllegalArgumentException(
                        "unsupported SQL parameter type " + value.getClass().getName());
            }
        }
    }
}
