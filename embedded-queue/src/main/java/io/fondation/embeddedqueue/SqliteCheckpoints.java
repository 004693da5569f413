package io.fondation.embeddedqueue;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The checkpoints of the embedded queue ({@link SqliteJobQueue}): rows of {@code checkpoints} and
 * {@code checkpoint_files} (see {@link SqliteSchema}), read and written inside the queue's transactions, with the
 * fencing rules of {@link io.fondation.shared.JobQueue}'s checkpoint calls. A job's checkpoint is deleted by the
 * schema's trigger when the job ends, and by {@link #sweep} when it is an orphan.
 */
final class SqliteCheckpoints {

    /** How often a queue sweeps orphaned checkpoints, at most (the sweep runs inside a claim). */
    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    private SqliteCheckpoints() {}

    /** Who is writing: the lease holder, a former holder of a waiting job, or nobody allowed. */
    private enum Access {
        HOLDER,
        WAITING,
        REFUSED
    }

    /** A job's {@code checkpoints} row. */
    private record Head(String holderToken, CheckpointBasis basis, boolean finished) {}

    /**
     * Opens the checkpoint for the holder of {@code lease}: records it as the holder and returns what the checkpoint
     * holds, or empty when the lease does not hold the job.
     */
    static Optional<Checkpoint> open(Connection connection, JobLease lease, long now) throws SQLException {
        if (access(connection, lease, CheckpointFence.LEASE) != Access.HOLDER) {
            return Optional.empty();
        }
        claimHolder(connection, lease.jobId(), lease.token(), now);
        return read(connection, lease.jobId());
    }

    static CheckpointWrite save(
            Connection connection,
            JobLease lease,
            CheckpointBasis basis,
            CheckpointFile file,
            CheckpointFence fence,
            long now)
            throws SQLException {
        Access access = access(connection, lease, fence);
        if (access == Access.REFUSED) {
            return CheckpointWrite.NOT_HELD;
        }
        Optional<Head> head = head(connection, lease.jobId());
        String holder = access == Access.HOLDER
                ? lease.token()
                : head.map(Head::holderToken).orElse(lease.token());
        if (head.isEmpty()) {
            SqliteJobQueue.update(
                    connection,
                    "INSERT INTO checkpoints (job_id, holder_token, updated_at) VALUES (?, ?, ?)",
                    lease.jobId(),
                    holder,
                    now);
        }
        if (head.isEmpty() || !basis.equals(head.get().basis())) {
            // why: files made from other inputs never mix; this file starts a new checkpoint
            SqliteJobQueue.update(connection, "DELETE FROM checkpoint_files WHERE job_id = ?", lease.jobId());
        }
        SqliteJobQueue.update(
                connection,
                "UPDATE checkpoints SET holder_token = ?, commit_id = ?, analyzer_kind = ?, analyzer_version = ?,"
                        + " model = ?, prompt_fingerprint = ?, finished = 0, updated_at = ? WHERE job_id = ?",
                holder,
                basis.commit(),
                basis.analyzerKind(),
                basis.analyzerVersion(),
                basis.model(),
                basis.promptFingerprint(),
                now,
                lease.jobId());
        if (!hasFile(connection, lease.jobId(), file.path())
                && fileCount(connection, lease.jobId()) >= Checkpoint.MAX_FILES) {
            // why: thrown inside the transaction, which rolls back: nothing changes
            throw new JobQueueException.Rejected("checkpoint file '" + file.path() + "' would be the "
                    + (Checkpoint.MAX_FILES + 1) + "th file of job " + lease.jobId() + "'s checkpoint; at most "
                    + Checkpoint.MAX_FILES + " are kept");
        }
        SqliteJobQueue.update(
                connection,
                "INSERT INTO checkpoint_files (job_id, path, content, sha256, bytes, saved_at) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (job_id, path) DO UPDATE SET content = excluded.content,"
                        + " sha256 = excluded.sha256, bytes = excluded.bytes, saved_at = excluded.saved_at",
                lease.jobId(),
                file.path(),
                file.content(),
                file.sha256(),
                file.contentBytes(),
                now);
        return CheckpointWrite.SAVED;
    }

    static CheckpointWrite remove(Connection connection, JobLease lease, Collection<String> paths, long now)
            throws SQLException {
        if (access(connection, lease, CheckpointFence.LEASE) != Access.HOLDER) {
            return CheckpointWrite.NOT_HELD;
        }
        claimHolder(connection, lease.jobId(), lease.token(), now);
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM checkpoint_files WHERE job_id = ? AND path = ?")) {
            for (String path : paths) {
                delete.setString(1, lease.jobId());
                delete.setString(2, path);
                delete.addBatch();
            }
            delete.executeBatch();
        }
        SqliteJobQueue.update(
                connection, "UPDATE checkpoints SET finished = 0, updated_at = ? WHERE job_id = ?", now, lease.jobId());
        return CheckpointWrite.SAVED;
    }

    static CheckpointWrite finish(
            Connection connection,
            JobLease lease,
            CheckpointBasis basis,
            Collection<String> paths,
            CheckpointFence fence,
            long now)
            throws SQLException {
        Access access = access(connection, lease, fence);
        if (access == Access.REFUSED) {
            return CheckpointWrite.NOT_HELD;
        }
        Optional<Head> head = head(connection, lease.jobId());
        if (head.isEmpty()
                || !basis.equals(head.get().basis())
                || !paths(connection, lease.jobId()).equals(Set.copyOf(paths))) {
            return CheckpointWrite.INCOMPLETE;
        }
        SqliteJobQueue.update(
                connection,
                "UPDATE checkpoints SET finished = 1, holder_token = ?, updated_at = ? WHERE job_id = ?",
                access == Access.HOLDER ? lease.token() : head.get().holderToken(),
                now,
                lease.jobId());
        return CheckpointWrite.SAVED;
    }

    /**
     * The job's checkpoint in one statement (a consistent view even while another process writes), or empty when it
     * has no file.
     */
    static Optional<Checkpoint> read(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT c.commit_id, c.analyzer_kind,"
                + " c.analyzer_version, c.model, c.prompt_fingerprint, c.finished, c.updated_at, f.path, f.content"
                + " FROM checkpoints c JOIN checkpoint_files f ON f.job_id = c.job_id"
                + " WHERE c.job_id = ? AND c.commit_id IS NOT NULL ORDER BY f.path")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                CheckpointBasis basis = null;
                boolean finished = false;
                long updatedAt = 0;
                List<CheckpointFile> files = new ArrayList<>();
                while (row.next()) {
                    if (basis == null) {
                        basis = basis(row);
                        finished = row.getInt("finished") != 0;
                        updatedAt = row.getLong("updated_at");
                    }
                    files.add(new CheckpointFile(row.getString("path"), row.getString("content")));
                }
                return basis == null
                        ? Optional.empty()
                        : Optional.of(new Checkpoint(jobId, basis, files, finished, Instant.ofEpochMilli(updatedAt)));
            }
        }
    }

    /**
     * Deletes the orphans: checkpoints not opened or written for {@link Checkpoint#ORPHAN_AFTER}, and those whose job
     * is gone or ended (the trigger normally deleted those already).
     *
     * @return how many were deleted
     */
    static int sweep(Connection connection, long now) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM checkpoints WHERE updated_at <= ?"
                + " OR job_id NOT IN (SELECT id FROM jobs WHERE status NOT IN " + SqliteSchema.TERMINAL + ")")) {
            delete.setLong(1, now - Checkpoint.ORPHAN_AFTER.toMillis());
            return delete.executeUpdate();
        }
    }

    /** Records {@code token} as the checkpoint's holder, creating the (empty) checkpoint if needed. */
    private static void claimHolder(Connection connection, String jobId, String token, long now) throws SQLException {
        SqliteJobQueue.update(
                connection,
                "INSERT INTO checkpoints (job_id, holder_token, updated_at) VALUES (?, ?, ?)"
                        + " ON CONFLICT (job_id) DO UPDATE SET holder_token = excluded.holder_token,"
                        + " updated_at = excluded.updated_at",
                jobId,
                token,
                now);
    }

    /** What {@code fence} lets the holder of {@code lease} do with the job's checkpoint now. */
    private static Access access(Connection connection, JobLease lease, CheckpointFence fence) throws SQLException {
        Objects.requireNonNull(fence, "fence");
        try (PreparedStatement select = connection.prepareStatement("SELECT j.status, j.lease_token,"
                + " j.cancel_requested, c.holder_token FROM jobs j LEFT JOIN checkpoints c ON c.job_id = j.id"
                + " WHERE j.id = ?")) {
            select.setString(1, lease.jobId());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Access.REFUSED;
                }
                JobStatus status = JobStatus.fromWire(row.getString("status"));
                boolean canceled = row.getInt("cancel_requested") != 0;
                if (lease.token().equals(row.getString("lease_token")) && status.isLeased() && !canceled) {
                    return Access.HOLDER;
                }
                if (fence == CheckpointFence.LEASE_OR_WAITING
                        && status == JobStatus.PENDING
                        && lease.token().equals(row.getString("holder_token"))) {
                    return Access.WAITING;
                }
                return Access.REFUSED;
            }
        }
    }

    private static Optional<Head> head(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT holder_token, commit_id, analyzer_kind,"
                + " analyzer_version, model, prompt_fingerprint, finished FROM checkpoints WHERE job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                CheckpointBasis basis = row.getString("commit_id") == null ? null : basis(row);
                return Optional.of(new Head(row.getString("holder_token"), basis, row.getInt("finished") != 0));
            }
        }
    }

    private static CheckpointBasis basis(ResultSet row) throws SQLException {
        return new CheckpointBasis(
                row.getString("commit_id"),
                row.getString("analyzer_kind"),
                row.getString("analyzer_version"),
                row.getString("model"),
                row.getString("prompt_fingerprint"));
    }

    private static boolean hasFile(Connection connection, String jobId, String path) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT 1 FROM checkpoint_files WHERE job_id = ? AND path = ?")) {
            select.setString(1, jobId);
            select.setString(2, path);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    private static int fileCount(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT COUNT(*) FROM checkpoint_files WHERE job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : 0;
            }
        }
    }

    private static Set<String> paths(Connection connection, String jobId) throws SQLException {
        Set<String> paths = new HashSet<>();
        try (PreparedStatement select =
                connection.prepareStatement("SELECT path FROM checkpoint_files WHERE job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    paths.add(row.getString(1));
                }
            }
        }
        return paths;
    }
}
