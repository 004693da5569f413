package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.Idempotence;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checkpoint calls of the hardened functions ({@code convex/checkpoints.ts}, feature {@code checkpoints} of
 * {@code queue:capabilities}): every call carries the worker secret, every write the lease's fencing token and the
 * fence. A checkpoint is read as its manifest ({@code checkpoints:open} or {@code checkpoints:read}: basis, paths,
 * finished) and then its files page by page ({@code checkpoints:files}, about 4 MiB each), pinned to the manifest's
 * checkpoint id; a read that sees the checkpoint replaced meanwhile starts again.
 */
final class ConvexCheckpoints {

    /** Paths per {@code checkpoints:remove} call (the function's limit: deleting a file reads it). */
    static final int MAX_PATHS_PER_REMOVE = 8;
    /** Reads of a checkpoint that changed while being read before the last one is taken as it is. */
    private static final int READ_ATTEMPTS = 3;

    private final ConvexClient client;
    private final String workerSecret;

    ConvexCheckpoints(ConvexClient client, String workerSecret) {
        this.client = client;
        this.workerSecret = workerSecret;
    }

    Optional<Checkpoint> open(JobLease lease) {
        // Opening twice with the same lease leaves the same holder: safe to retry.
        return readWith(
                lease.jobId(),
                () -> client.mutation("checkpoints:open", withSecret(lease(lease)), Idempotence.IDEMPOTENT));
    }

    Optional<Checkpoint> read(String jobId) {
        return readWith(
                jobId,
                () -> client.query("checkpoints:read", withSecret(Args.of().put("jobId", jobId))));
    }

    CheckpointWrite save(JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        Args args = lease(lease)
                .put("fence", fence(fence))
                .put("basis", basis(basis))
                .put("path", file.path())
                .put("content", file.content());
        // Saving the same file under the same lease again stores the same thing: safe to retry.
        JsonNode answer = client.mutation("checkpoints:save", withSecret(args), Idempotence.IDEMPOTENT);
        return outcome(answer, "checkpoints:save");
    }

    CheckpointWrite remove(JobLease lease, List<String> paths) {
        for (int from = 0; from < paths.size() || from == 0; from += MAX_PATHS_PER_REMOVE) {
            List<String> batch = paths.subList(from, Math.min(paths.size(), from + MAX_PATHS_PER_REMOVE));
            Args args = lease(lease).put("paths", batch);
            JsonNode answer = client.mutation("checkpoints:remove", withSecret(args), Idempotence.IDEMPOTENT);
            CheckpointWrite outcome = outcome(answer, "checkpoints:remove");
            if (outcome != CheckpointWrite.SAVED) {
                return outcome;
            }
        }
        return CheckpointWrite.SAVED;
    }

    CheckpointWrite finish(JobLease lease, CheckpointBasis basis, List<String> paths, CheckpointFence fence) {
        Args args = lease(lease)
                .put("fence", fence(fence))
                .put("basis", basis(basis))
                .put("paths", paths);
        JsonNode answer = client.mutation("checkpoints:finish", withSecret(args), Idempotence.IDEMPOTENT);
        return outcome(answer, "checkpoints:finish");
    }

    // ---------------------------------------------------------------- reading

    @FunctionalInterface
    private interface ManifestCall {
        JsonNode call();
    }

    /** The manifest {@code call} answers, with its files; again when the checkpoint changed while being read. */
    private Optional<Checkpoint> readWith(String jobId, ManifestCall call) {
        Optional<Checkpoint> last = Optional.empty();
        for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
            JsonNode manifest = call.call();
            if (manifest == null || manifest.isNull()) {
                return Optional.empty();
            }
            String checkpointId = JobRows.text(manifest, "checkpointId");
            List<CheckpointFile> files = files(jobId, checkpointId);
            if (files == null) {
                continue; // replaced or deleted meanwhile: read the new one
            }
            Checkpoint checkpoint = new Checkpoint(
                    jobId,
                    basisOf(manifest.get("basis")),
                    files,
                    JobRows.bool(manifest, "finished"),
                    instantOf(manifest, "updatedAt"));
            if (pathsOf(manifest).equals(paths(files))) {
                return Optional.of(checkpoint);
            }
            // why: a file saved between the manifest and its page; the next read sees both the same
            last = Optional.of(checkpoint);
        }
        return last;
    }

    /** Every file of checkpoint {@code checkpointId}, or null when it is no longer the job's. */
    private List<CheckpointFile> files(String jobId, String checkpointId) {
        List<CheckpointFile> files = new ArrayList<>();
        String after = null;
        do {
            Args args = Args.of()
                    .put("jobId", jobId)
                    .put("checkpointId", checkpointId)
                    .put("after", after);
            JsonNode page = client.query("checkpoints:files", withSecret(args));
            if (!JobRows.bool(page, "current")) {
                return null;
            }
            for (JsonNode file : page.path("files")) {
                files.add(new CheckpointFile(
                        file.path("path").asText(), file.path("content").asText()));
            }
            JsonNode next = page.get("next");
            after = next == null || next.isNull() ? null : next.asText();
        } while (after != null);
        return files;
    }

    private static Set<String> pathsOf(JsonNode manifest) {
        Set<String> paths = new HashSet<>();
        manifest.path("paths").forEach(path -> paths.add(path.asText()));
        return paths;
    }

    private static Set<String> paths(List<CheckpointFile> files) {
        Set<String> paths = new HashSet<>();
        files.forEach(file -> paths.add(file.path()));
        return paths;
    }

    private static CheckpointBasis basisOf(JsonNode basis) {
        if (basis == null || !basis.isObject()) {
            throw new JobQueueException("a checkpoint manifest came without its basis", false);
        }
        return new CheckpointBasis(
                JobRows.text(basis, "commit"),
                JobRows.text(basis, "analyzerKind"),
                JobRows.text(basis, "analyzerVersion"),
                JobRows.text(basis, "model"),
                JobRows.text(basis, "promptFingerprint"));
    }

    private static Instant instantOf(JsonNode manifest, String field) {
        Instant instant = JobRows.instant(manifest, field);
        if (instant == null) {
            throw new JobQueueException("a checkpoint manifest came without " + field, false);
        }
        return instant;
    }

    // ---------------------------------------------------------------- arguments and answers

    private static Map<String, Object> basis(CheckpointBasis basis) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("commit", basis.commit());
        map.put("analyzerKind", basis.analyzerKind());
        map.put("analyzerVersion", basis.analyzerVersion());
        map.put("model", basis.model());
        map.put("promptFingerprint", basis.promptFingerprint());
        return map;
    }

    private static String fence(CheckpointFence fence) {
        return switch (fence) {
            case LEASE -> "lease";
            case LEASE_OR_WAITING -> "lease_or_waiting";
        };
    }

    private static CheckpointWrite outcome(JsonNode answer, String function) {
        String outcome = JobRows.text(answer, "outcome");
        if (outcome == null) {
            throw new JobQueueException(function + " answered without an outcome", false);
        }
        return switch (outcome) {
            case "saved" -> CheckpointWrite.SAVED;
            case "not_held" -> CheckpointWrite.NOT_HELD;
            case "incomplete" -> CheckpointWrite.INCOMPLETE;
            default -> throw new JobQueueException(function + " answered an unknown outcome '" + outcome + "'", false);
        };
    }

    private static Args lease(JobLease lease) {
        return Args.of()
                .put("jobId", lease.jobId())
                .put("workerId", lease.workerId())
                .put("leaseToken", lease.token());
    }

    private Map<String, Object> withSecret(Args args) {
        return args.put("workerSecret", workerSecret).map();
    }
}
