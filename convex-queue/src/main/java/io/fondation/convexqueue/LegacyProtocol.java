package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.Idempotence;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.DocumentReadingOrder;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions of the existing deployment, called with exactly their arguments: {@code
 * queue:claimOne {workerId, leaseMs}}, {@code queue:heartbeat} (throws unless the caller holds the
 * job), {@code queue:complete}, {@code queue:retryOrFail}, {@code docs:upsertFromJob}. They have no
 * fencing token, so this class fences what it can locally: the lease token it hands out is
 * random and kept per job, and a write with a token that is not the current local one is refused
 * without a call. See {@link QueueMode#LEGACY} for what cannot be done.
 *
 * <p>The finishing writes go documents first ({@code docs:upsertFromJob}), then {@code queue:complete}, so that no
 * crash leaves a repository's course empty for good (see {@link #complete}); a job whose documents an earlier
 * attempt wrote in full is completed at its next claim without running the analysis again ({@link #claimOne}).
 */
final class LegacyProtocol implements QueueProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(LegacyProtocol.class);

    private final ConvexClient client;
    private final Clock clock;
    private final Lookups lookups;
    private final String url;
    /** jobId → the claim this process holds (local fencing token, repository for documents). */
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    private record Held(String token, String workerId, String repositoryId) {}

    /** Whether the client may call internal functions (a deploy key that {@code queue:reclaimExpired} accepts). */
    private final boolean internalFunctions;

    /**
     * @param internalFunctions whether the client authenticates as admin ({@code CONVEX_DEPLOY_KEY}) and so may
     *     call the internal {@code queue:reclaimExpired}: then {@link #release} spends no attempt
     */
    LegacyProtocol(ConvexClient client, Clock clock, Lookups lookups, boolean internalFunctions) {
        this.client = client;
        this.clock = clock;
        this.lookups = lookups;
        this.internalFunctions = internalFunctions;
        this.url = client.deploymentUrl().toString();
    }

    /** The lease a release shrinks the job's to before reclaiming it: over by the time the reclaim runs. */
    static final Duration RELEASE_LEASE = Duration.ofMillis(1);

    /** What the existing {@code queue:reclaimExpired} writes into {@code lastError} (reference, §1). */
    static final String LEASE_EXPIRED = "Lease expired - worker likely crashed";

    /**
     * {@code queue:reclaimExpired}, an internal function: only an admin (deploy key) may call it over HTTP. It puts
     * every job whose lease ended back to {@code pending}, due at once, and <b>spends one attempt</b> on each
     * ({@code attempts + 1}, {@code lastError = 'Lease expired - worker likely crashed'}); it never makes a job
     * dead. Answers {@code {reclaimed, checked}}.
     *
     * @return how many jobs it put back
     * @throws io.fondation.convexqueue.client.ConvexException when the call fails (e.g. the key may not run internal
     *     functions: "Could not find public function")
     */
    int reclaimExpired() {
        // Not idempotent in effect (each reclaim spends an attempt), but a repeat only reclaims leases that are over
        // at that moment, which is what the schedule wants anyway: safe to retry.
        JsonNode answer = client.mutation("queue:reclaimExpired", Map.of(), Idempotence.IDEMPOTENT);
        Integer reclaimed = answer == null ? null : JobRows.integer(answer, "reclaimed");
        if (reclaimed == null) {
            throw new JobQueueException("queue:reclaimExpired answered without {reclaimed, checked}: " + answer, false);
        }
        return reclaimed;
    }

    /** The words every log line about a reclaim uses, so that the log says what the deployment did. */
    static String reclaimed(int count) {
        return count + " job" + (count == 1 ? "" : "s") + " whose lease ended went back to pending through"
                + " queue:reclaimExpired, which spends one attempt on each (lastError '" + LEASE_EXPIRED + "')";
    }

    private JobQueueException unsupported(String what) {
        return new JobQueueException.Rejected(what + " needs the hardened Fondation queue functions; the deployment at "
                + url + " has only the legacy ones (deploy convex-queue/convex to get them)");
    }

    @Override
    public String enqueue(JobSpec spec) {
        throw unsupported("enqueue");
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        for (int skipped = 0; skipped <= MAX_SKIPPED_PER_CLAIM; skipped++) {
            Instant start = clock.instant();
            Map<String, Object> args = Args.of()
                    .put("workerId", workerId)
                    .millis("leaseMs", leaseDuration)
                    .map();
            // Not idempotent: without a claim token a repeated claim could take a second job.
            JsonNode row = client.mutation("queue:claimOne", args, Idempotence.NOT_IDEMPOTENT);
            if (row == null || row.isNull()) {
                return Optional.empty();
            }
            String id = JobRows.id(row);
            if (id == null) {
                throw new JobQueueException("queue:claimOne answered without a job id", false);
            }
            String repositoryId = JobRows.text(row, "repositoryId");
            JobLease lease = new JobLease(id, workerId, UUID.randomUUID().toString(), start.plus(leaseDuration));
            held.put(id, new Held(lease.token(), workerId, repositoryId));
            if (JobRows.integer(row, "attempts", 0) > 0 && completeIfDocumentsWritten(lease)) {
                continue;
            }
            CloneSource source;
            try {
                if (repositoryId == null) {
                    throw new IllegalArgumentException("the job has no repositoryId");
                }
                source = lookups.repository(repositoryId);
            } catch (IllegalArgumentException e) {
                LOG.warn("Job {} cannot be run: {}; giving it back through queue:retryOrFail", id, e.getMessage());
                retryOrFail(
                        lease,
                        JobFailure.of(io.fondation.shared.FailureKind.INVALID_INPUT, "invalid job: " + e.getMessage()),
                        null);
                continue;
            }
            return Optional.of(JobRows.claim(row, source, lease, false));
        }
        return Optional.empty();
    }

    /**
     * The heal of a crash between the two finishing writes: when an earlier attempt of the just-claimed job stored
     * all its documents ({@code docs:upsertFromJob}, which already deleted the repository's previous course) but its
     * worker stopped before {@code queue:complete}, the course is empty until this job completes. Such a job is
     * completed here, at once, with the documents it has, instead of running the analysis again (which could fail,
     * leaving the course empty for good). The proof that every document was stored: the job's {@code runId} (written
     * by the upsert) names the number of documents its run sent ({@link #runId}), and that many documents of the job
     * carry that run id. Anything less (a crash between two batches, a document the function rejected) proves
     * nothing, and the job runs again as usual.
     *
     * @return true when the job was completed (or is no longer ours): the caller claims another one
     */
    private boolean completeIfDocumentsWritten(JobLease lease) {
        String runId;
        Integer expected;
        long written = 0;
        try {
            JsonNode row = readJob(lease.jobId());
            runId = row == null ? null : JobRows.text(row, "runId");
            expected = documentsOf(runId);
            if (expected == null || row.get("regenerationStats") == null) {
                return false;
            }
            for (JsonNode document : client.query(
                    "docs:listByJobId", Args.of().put("jobId", lease.jobId()).map())) {
                if (runId.equals(JobRows.text(document, "runId"))) {
                    written++;
                }
            }
        } catch (io.fondation.convexqueue.client.ConvexException e) {
            // Nothing proven: the job runs as usual (and its completion stores the documents again).
            LOG.info(
                    "Job {}: could not read what an earlier attempt stored ({}); running it",
                    lease.jobId(),
                    e.getMessage());
            return false;
        }
        if (written != expected) {
            LOG.info(
                    "Job {}: an earlier attempt stored {} of its {} documents before its worker stopped; running it"
                            + " again",
                    lease.jobId(),
                    written,
                    expected);
            return false;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("success", true);
        result.put(
                "message",
                "Analysis complete: " + expected + " document" + (expected == 1 ? "" : "s")
                        + " (stored by an earlier attempt whose worker stopped before completing the job)");
        try {
            client.mutation(
                    "queue:complete",
                    Args.of()
                            .put("jobId", lease.jobId())
                            .put("workerId", lease.workerId())
                            .put("result", result)
                            .put("docsCount", (double) expected)
                            .map(),
                    Idempotence.NOT_IDEMPOTENT);
            LOG.info(
                    "Job {}: an earlier attempt stored all {} documents (run {}) but its worker stopped before"
                            + " queue:complete; completed now without running the analysis again, so the repository's"
                            + " course is whole again",
                    lease.jobId(),
                    expected,
                    runId);
        } catch (ConvexFunctionException e) {
            LOG.info(
                    "Job {}: completing it with its stored documents was refused: {}", lease.jobId(), e.errorMessage());
        } finally {
            forget(lease);
        }
        return true;
    }

    /**
     * The run id of a completion: the claim's random token and the number of documents the run sends, {@code
     * <token>.<count>}. The existing upsert stores it on the job and on each document it inserts, which is how a
     * later claim can tell that every document of a run was stored ({@link #completeIfDocumentsWritten}).
     */
    static String runId(JobLease lease, int documents) {
        return lease.token() + "." + documents;
    }

    /** The number of documents a {@link #runId} names, or {@code null} when it is not one of ours. */
    static Integer documentsOf(String runId) {
        int dot = runId == null ? -1 : runId.lastIndexOf('.');
        if (dot <= 0 || dot == runId.length() - 1) {
            return null;
        }
        try {
            int count = Integer.parseInt(runId.substring(dot + 1));
            return count > 0 ? count : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Drops the local record of {@code lease}, and only of it: a newer claim of the same job stays. */
    private void forget(JobLease lease) {
        held.computeIfPresent(lease.jobId(), (id, claim) -> claim.token().equals(lease.token()) ? null : claim);
    }

    /** Whether this process still considers {@code lease} current (local fencing). */
    private boolean current(JobLease lease) {
        Held claim = held.get(lease.jobId());
        return claim != null
                && claim.token().equals(lease.token())
                && claim.workerId().equals(lease.workerId());
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        if (!current(lease)) {
            return HeartbeatResult.lost(lease);
        }
        Instant start = clock.instant();
        // The legacy heartbeat would overwrite a cancellation with the phase: read the job first. Both calls are
        // sent once: the worker's heartbeat, which knows the lease deadline, is the one layer that retries.
        if (canceled(lease.jobId(), true)) {
            return new HeartbeatResult(true, true, lease);
        }
        Args args = Args.of()
                .put("jobId", lease.jobId())
                .put("workerId", lease.workerId())
                .put("status", phase == null ? null : phase.wireName())
                .progress(progress)
                .millis("leaseMs", leaseDuration);
        try {
            client.callOnce(ConvexClient.FunctionKind.MUTATION, "queue:heartbeat", args.map());
        } catch (ConvexFunctionException e) {
            // The legacy heartbeat throws unless lockedBy == workerId: the lease is gone.
            LOG.info(
                    "Legacy heartbeat of job {} refused ({}): treating the lease as lost",
                    lease.jobId(),
                    e.errorMessage());
            forget(lease);
            return HeartbeatResult.lost(lease);
        }
        return new HeartbeatResult(true, false, lease.renewedUntil(start.plus(leaseDuration)));
    }

    /**
     * Records the attempt's last progress with a heartbeat that keeps the lease where it is (the legacy terminal
     * functions take no progress).
     *
     * @return false when the heartbeat was refused (the job is no longer ours)
     */
    private boolean recordProgress(JobLease lease, Progress progress) {
        if (progress == null) {
            return true;
        }
        Duration remaining = Duration.between(clock.instant(), lease.expiresAt());
        Duration keep = remaining.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : remaining;
        try {
            setLease(lease, progress, keep);
            return true;
        } catch (ConvexFunctionException e) {
            return false;
        }
    }

    /**
     * A legacy {@code queue:heartbeat} that sets the lease to {@code leaseMs} from now (and the progress, if any).
     *
     * @throws ConvexFunctionException when the legacy function refuses it (the job is no longer ours)
     */
    private void setLease(JobLease lease, Progress progress, Duration leaseMs) {
        client.mutation(
                "queue:heartbeat",
                Args.of()
                        .put("jobId", lease.jobId())
                        .put("workerId", lease.workerId())
                        .progress(progress)
                        .millis("leaseMs", leaseMs)
                        .map(),
                Idempotence.IDEMPOTENT);
    }

    /**
     * Stores the documents first ({@code docs:upsertFromJob}, every batch under one {@link #runId}), then completes
     * ({@code queue:complete}). Why this order: the web app's course ({@code docs:listByRepository}) is the documents
     * of the repository's latest completed job. Completing first opens a window in which the new completed job has
     * no documents, and a crash there leaves the course empty for good (the job is done; nothing retries it). Storing
     * first empties the course too (the upsert deletes the other completed jobs' documents) but while this job is
     * still held: a crash there leaves a held job whose lease ends, and its next claim heals it
     * ({@link #completeIfDocumentsWritten}). Once the documents are stored the job is completed even if it was
     * canceled in the few milliseconds between the two writes: the legacy complete overwrites the cancellation,
     * which is better than a canceled job whose upsert erased the course.
     *
     * <p>A write refused for ownership ends the attempt; a transient failure keeps the local claim, so that the
     * worker can try the whole completion again (the upsert replaces by source key, and a repeated complete that
     * finds the job completed with this run id answers {@link CompleteOutcome#ALREADY_COMPLETED}).
     */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, List<List<Document>> batches) {
        if (!current(lease)) {
            return CompleteOutcome.NOT_HELD;
        }
        Held claim = held.get(lease.jobId());
        int documents = batches.stream().mapToInt(List::size).sum();
        String runId = runId(lease, documents);
        boolean ended = false;
        try {
            if (canceled(lease.jobId(), false)) {
                // The legacy complete would overwrite the cancellation; nothing is written.
                ended = true;
                return CompleteOutcome.CANCELED;
            }
            if (!recordProgress(lease, completion.progress())) {
                ended = true;
                return refused(lease, runId, "its progress heartbeat");
            }
            if (claim != null && claim.repositoryId() != null && !batches.isEmpty()) {
                upsertDocuments(lease, claim.repositoryId(), runId, batches);
            }
            JobResult result = completion.result();
            Map<String, Object> args = Args.of()
                    .put("jobId", lease.jobId())
                    .put("workerId", lease.workerId())
                    .put("result", JobRows.resultArg(result))
                    .put("docsCount", (double) result.documentCount())
                    .map();
            try {
                // Not retried by the client: a repeat after a lost response is refused; refused() tells it apart.
                client.mutation("queue:complete", args, Idempotence.NOT_IDEMPOTENT);
            } catch (ConvexFunctionException e) {
                // Production deployments redact a plain Error's message ("Server Error"): the row says what happened.
                ended = true;
                return refused(lease, runId, "queue:complete");
            }
            ended = true;
            return CompleteOutcome.COMPLETED;
        } finally {
            if (ended) {
                forget(lease);
            }
        }
    }

    /**
     * A write of the completion was refused: the job is no longer ours, unless an earlier try of this completion
     * went through and only its answer was lost (the row is completed with this run's id).
     */
    private CompleteOutcome refused(JobLease lease, String runId, String write) {
        JsonNode row = readJob(lease.jobId());
        if (row != null
                && "completed".equals(JobRows.text(row, "status"))
                && runId.equals(JobRows.text(row, "runId"))) {
            return CompleteOutcome.ALREADY_COMPLETED;
        }
        LOG.info(
                "Legacy completion of job {} refused at {}: the job is no longer held by this worker",
                lease.jobId(),
                write);
        return CompleteOutcome.NOT_HELD;
    }

    private void upsertDocuments(JobLease lease, String repositoryId, String runId, List<List<Document>> batches) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("chaptersCount", (double) count(batches, DocumentKind.CHAPTER));
        summary.put("tutorialsCount", (double) count(batches, DocumentKind.TUTORIAL));
        summary.put("generatedAt", (double) clock.millis());
        for (List<Document> batch : batches) {
            Map<String, Object> args = Args.of()
                    .put("jobId", lease.jobId())
                    .put("repositoryId", repositoryId)
                    // One run id for every batch of this claim, so later batches do not replace earlier ones.
                    .put("runId", runId)
                    .put("files", JobRows.files(batch))
                    .put("summary", summary)
                    .map();
            // An upsert by source key: repeating it stores the same thing.
            client.mutation("docs:upsertFromJob", args, Idempotence.IDEMPOTENT);
        }
    }

    private static long count(List<List<Document>> batches, DocumentKind kind) {
        return batches.stream()
                .flatMap(List::stream)
                .filter(document -> document.kind() == kind)
                .count();
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        if (!current(lease)) {
            return new RetryDecision.NotHeld();
        }
        try {
            if (canceled(lease.jobId(), false)) {
                // The legacy retryOrFail would make a canceled job pending again.
                return new RetryDecision.NotHeld();
            }
            if (!failure.retryable()) {
                // A limit of the legacy functions, said once at start-up (QueueMode.missingFeatures): not a WARN per
                // job.
                LOG.info(
                        "Job {} failed with a non-retryable {} failure, but the legacy queue:retryOrFail can only"
                                + " retry it (until its attempts run out)",
                        lease.jobId(),
                        failure.kind());
            }
            if (!recordProgress(lease, progress)) {
                return new RetryDecision.NotHeld();
            }
            Map<String, Object> args = Args.of()
                    .put("jobId", lease.jobId())
                    .put("workerId", lease.workerId())
                    .put("error", failure.message())
                    .map();
            try {
                // Not retried: it spends an attempt.
                JsonNode answer = client.mutation("queue:retryOrFail", args, Idempotence.NOT_IDEMPOTENT);
                return JobRows.retryDecision(answer, "queue:retryOrFail");
            } catch (ConvexFunctionException e) {
                LOG.info("Legacy retryOrFail of job {} refused: {}", lease.jobId(), e.errorMessage());
                return new RetryDecision.NotHeld();
            }
        } finally {
            forget(lease);
        }
    }

    /**
     * The existing functions have no release, so a job given back always <b>spends an attempt</b>. With internal
     * functions the lease is shrunk to {@link #RELEASE_LEASE} by a legacy heartbeat, then {@code queue:reclaimExpired}
     * puts the job back to {@code pending}, due at once, with {@code attempts + 1} and {@code lastError 'Lease
     * expired - worker likely crashed'} (it never makes a job dead). Without them the job goes back through
     * {@code queue:retryOrFail}: an attempt spent, a backoff, and {@code dead} when it was the last attempt. Either
     * way the log says so.
     */
    @Override
    public boolean release(JobLease lease) {
        if (!internalFunctions) {
            RetryDecision decision = retryOrFail(
                    lease,
                    JobFailure.of(
                            io.fondation.shared.FailureKind.INTERRUPTED,
                            "released by worker " + lease.workerId() + " (the legacy functions have no release)"),
                    null);
            if (decision instanceof RetryDecision.GaveUp gaveUp) {
                LOG.info(
                        "Job {}: given back through queue:retryOrFail (the existing functions have no release), which"
                                + " spent its last attempt: it is {} now",
                        lease.jobId(),
                        gaveUp.status().wireName());
            } else if (decision instanceof RetryDecision.Retrying retrying) {
                LOG.info(
                        "Job {}: given back through queue:retryOrFail (the existing functions have no release), which"
                                + " spent an attempt ({} so far); due again at {}",
                        lease.jobId(),
                        retrying.attempts(),
                        retrying.nextRunAt());
            }
            return !(decision instanceof RetryDecision.NotHeld);
        }
        if (!current(lease)) {
            return false;
        }
        try {
            if (canceled(lease.jobId(), false)) {
                return false; // The cancellation stands; reclaimExpired leaves canceled jobs alone anyway.
            }
            try {
                setLease(lease, null, RELEASE_LEASE);
            } catch (ConvexFunctionException e) {
                LOG.info("Legacy release of job {} refused: {}", lease.jobId(), e.errorMessage());
                return false;
            }
            // The reclaim runs in a later transaction than the heartbeat, so the lease is over by then; should the
            // deployment's clock not have moved on (same millisecond), one more reclaim does it.
            for (int tries = 0; tries < 2; tries++) {
                int count = reclaimExpired();
                if (!stillHeldBy(lease)) {
                    LOG.info(
                            "Job {}: given back (the existing functions have no release): {}",
                            lease.jobId(),
                            reclaimed(count));
                    return true;
                }
            }
            LOG.info("Job {} still held after queue:reclaimExpired; its lease ends by itself", lease.jobId());
            return false;
        } finally {
            forget(lease);
        }
    }

    /** Whether the job's row still says {@code lease}'s worker holds it. */
    private boolean stillHeldBy(JobLease lease) {
        JsonNode row = readJob(lease.jobId());
        if (row == null) {
            return false;
        }
        JobStatus status = JobStatus.fromWire(JobRows.text(row, "status"));
        return lease.workerId().equals(JobRows.text(row, "lockedBy")) && status.isLeased();
    }

    /**
     * Whether the web app canceled the job ({@code jobs:getJob}). Not atomic with the write that
     * follows, but it keeps the legacy functions from overwriting almost every cancellation.
     *
     * @param once read without the client's retries (inside a heartbeat, which retries itself)
     */
    private boolean canceled(String jobId, boolean once) {
        JsonNode row = readJob(jobId, once);
        return row != null && ("canceled".equals(JobRows.text(row, "status")) || JobRows.bool(row, "cancelRequested"));
    }

    private JsonNode readJob(String jobId) {
        return readJob(jobId, false);
    }

    private JsonNode readJob(String jobId, boolean once) {
        Map<String, Object> args = Args.of().put("jobId", jobId).map();
        try {
            JsonNode row = once
                    ? client.callOnce(ConvexClient.FunctionKind.QUERY, "jobs:getJob", args)
                    : client.query("jobs:getJob", args);
            return row != null && row.isObject() ? row : null;
        } catch (ConvexFunctionException e) {
            // v.id("jobs") refuses ids of another format: no such job.
            return null;
        }
    }

    /** {@code jobs:requestCancel}, which throws for unknown or ended jobs. */
    @Override
    public boolean cancel(String jobId) {
        if (readJob(jobId) == null) {
            return false;
        }
        try {
            client.mutation("jobs:requestCancel", Args.of().put("jobId", jobId).map(), Idempotence.IDEMPOTENT);
            return true;
        } catch (ConvexFunctionException e) {
            LOG.debug("jobs:requestCancel refused job {}: {}", jobId, e.errorMessage());
            return false;
        }
    }

    @Override
    public Optional<JobSnapshot> get(String jobId) {
        JsonNode row = readJob(jobId);
        return row == null
                ? Optional.empty()
                : Optional.of(JobRows.snapshot(withSpentAttempts(row), lookups::repositoryOrNull));
    }

    /**
     * The row with the attempts counted as the hardened functions count them, the attempts started: the legacy
     * functions count an attempt when it fails, so a job held now (or canceled while held) runs one more than its
     * row says; and the existing {@code queue:retryOrFail} makes a job {@code dead} without storing the attempt that
     * killed it (the row keeps the previous count), and nothing else makes a legacy job dead, so a dead row has spent
     * one attempt more than it says. For display only: the legacy functions keep their own count.
     */
    static JsonNode withSpentAttempts(JsonNode row) {
        String status = JobRows.text(row, "status");
        boolean running = "canceled".equals(status) && JobRows.text(row, "lockedBy") != null
                || java.util.Arrays.stream(JobStatus.values())
                        .anyMatch(known -> known.isLeased() && known.wireName().equals(status));
        if (!("dead".equals(status) || running) || !(row instanceof ObjectNode object)) {
            return row;
        }
        ObjectNode copy = object.deepCopy();
        copy.put("attempts", JobRows.integer(row, "attempts", 0) + 1);
        return copy;
    }

    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        throw unsupported("listing jobs");
    }

    /**
     * {@code queue:getMetrics}: its {@code counts.pending} (a {@code take(100)} on {@code by_status_runAt}) goes up
     * whenever a job becomes pending, and its {@code timestamp} changes on every run, so each write it reads pushes a
     * new value. It does not say when a pending job is due ({@link WorkWatch} handles that and the cap).
     */
    @Override
    public WatchQuery<WatchQuery.WorkState> workQuery() {
        return new WatchQuery<>("queue:getMetrics", Args.of().map(), WatchQuery.WorkState::fromLegacyMetrics);
    }

    /** {@code jobs:getJob}, public in the existing deployment: canceled or cancelRequested. */
    @Override
    public WatchQuery<Boolean> cancellationQuery(JobLease lease) {
        return new WatchQuery<>(
                "jobs:getJob",
                Args.of().put("jobId", lease.jobId()).map(),
                row -> row != null
                        && row.isObject()
                        && ("canceled".equals(JobRows.text(row, "status")) || JobRows.bool(row, "cancelRequested")));
    }

    /** The existing deployment has no checkpoint table: every attempt reruns the analysis from the start. */
    static final String NO_CHECKPOINTS = "the existing Convex functions keep no checkpoints (they have no table for"
            + " them; deploy convex-queue/convex to resume): a retried job reruns its analysis from the start, every"
            + " step and every LLM request";

    @Override
    public CheckpointSupport checkpointSupport() {
        return CheckpointSupport.unsupported(NO_CHECKPOINTS);
    }

    @Override
    public ConvexCheckpoints checkpoints() {
        throw new UnsupportedOperationException(NO_CHECKPOINTS);
    }

    /** The existing deployment has neither user turns, pauses nor costs: the worker keeps today's behaviour. */
    static final String NO_FLEET = "the existing Convex functions keep no fair claims, LLM pauses or budgets (their"
            + " jobs have no user turn, pause or cost fields; deploy convex-queue/convex to get them): claims go"
            + " oldest-due-first, a rate limit spends the job's attempt with a per-job backoff, and a budget caps one"
            + " attempt only";

    @Override
    public FleetSupport fleetSupport() {
        return FleetSupport.none(NO_FLEET);
    }

    @Override
    public ConvexPauses pauses() {
        throw new UnsupportedOperationException(NO_FLEET);
    }

    /** {@code docs:listByJobId}, put in reading order here (the legacy reader returns insertion order). */
    @Override
    public List<Document> documents(String jobId) {
        if (readJob(jobId) == null) {
            return List.of();
        }
        JsonNode rows =
                client.query("docs:listByJobId", Args.of().put("jobId", jobId).map());
        List<Document> documents = new ArrayList<>();
        for (JsonNode row : rows) {
            Document document = JobRows.document(row);
            boolean indexed = document.kind() == DocumentKind.CHAPTER || document.kind() == DocumentKind.TUTORIAL;
            if (!indexed && Integer.valueOf(0).equals(document.chapterIndex())) {
                // Stored as 0 for the web app; it means "no index".
                document = new Document(document.slug(), document.title(), null, document.kind(), document.content());
            }
            documents.add(document);
        }
        return DocumentReadingOrder.sorted(documents);
    }

    /**
     * {@inheritDoc} From the existing {@code queue:getMetrics}' {@code counts}: pending, claimed ({@code processing}),
     * completed, failed and dead, each at most 100; the statuses it does not count are left out. {@link
     * ConvexJobQueue} calls this only while no pushed value of the same query is at hand.
     */
    @Override
    public Map<JobStatus, Long> countByStatus() {
        Map<JobStatus, Long> counts = WatchQuery.WorkState.legacyCounts(client.query("queue:getMetrics", Map.of()));
        if (counts == null) {
            throw new JobQueueException("queue:getMetrics answered without counts.pending", false);
        }
        return counts;
    }

    /** {@inheritDoc} Empty: the existing functions have no such query (their counts say nothing of what is due). */
    @Override
    public Optional<DepthCounts> depth(Instant now) {
        return Optional.empty();
    }
}
