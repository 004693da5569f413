package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.Idempotence;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
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
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hardened functions ({@code queue:capabilities} version 3): every worker call carries the
 * worker secret and the lease's fencing token; a claim carries a client-generated claim token, so
 * a claim retried after a lost response returns the same job instead of a second one.
 */
final class HardenedProtocol implements QueueProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(HardenedProtocol.class);
    /** The most jobs queue:listJobs returns in one call. */
    static final int MAX_LIST_LIMIT = 1_000;

    private final ConvexClient client;
    private final Clock clock;
    private final String workerSecret;
    private final Lookups lookups;
    /** The checkpoint calls, or null when the deployment's functions predate them. */
    private final ConvexCheckpoints checkpoints;
    /** Whether the deployment's functions have {@code queue:depth}. */
    private final boolean depth;

    /** Which of fair claims, pauses and budgets the deployment's functions keep. */
    private final FleetSupport fleet;
    /** The pause calls, or null when the deployment's functions predate them. */
    private final ConvexPauses pauses;
    /** Whether {@code queue:claimOne} takes {@code answerPause} and answers {@code probe}. */
    private final boolean claimAnswersPause;

    /**
     * @param features what {@code queue:capabilities} lists: {@value DeploymentProbe#CHECKPOINTS_FEATURE} (the
     *     functions keep checkpoints), {@value DeploymentProbe#DEPTH_FEATURE} (they count the queue's depth), {@value
     *     DeploymentProbe#FAIR_CLAIMS_FEATURE}, {@value DeploymentProbe#LLM_PAUSES_FEATURE}, {@value
     *     DeploymentProbe#CLAIM_ANSWERS_PAUSE_FEATURE}, {@value DeploymentProbe#COST_BUDGETS_FEATURE}
     */
    HardenedProtocol(ConvexClient client, Clock clock, String workerSecret, Lookups lookups, Set<String> features) {
        this.client = client;
        this.clock = clock;
        this.workerSecret = workerSecret;
        this.lookups = lookups;
        this.checkpoints = features.contains(DeploymentProbe.CHECKPOINTS_FEATURE)
                ? new ConvexCheckpoints(client, workerSecret)
                : null;
        this.depth = features.contains(DeploymentProbe.DEPTH_FEATURE);
        this.fleet = fleetSupport(client, features);
        this.claimAnswersPause = features.contains(DeploymentProbe.CLAIM_ANSWERS_PAUSE_FEATURE);
        this.pauses =
                fleet.supports(FleetSupport.Feature.LLM_PAUSES) ? new ConvexPauses(client, workerSecret, clock) : null;
    }

    private static FleetSupport fleetSupport(ConvexClient client, Set<String> features) {
        Map<FleetSupport.Feature, String> wire = new LinkedHashMap<>();
        wire.put(FleetSupport.Feature.FAIR_CLAIMS, DeploymentProbe.FAIR_CLAIMS_FEATURE);
        wire.put(FleetSupport.Feature.LLM_PAUSES, DeploymentProbe.LLM_PAUSES_FEATURE);
        wire.put(FleetSupport.Feature.COST_BUDGETS, DeploymentProbe.COST_BUDGETS_FEATURE);
        Set<FleetSupport.Feature> kept = EnumSet.noneOf(FleetSupport.Feature.class);
        List<String> missing = new ArrayList<>();
        wire.forEach((feature, name) -> {
            if (features.contains(name)) {
                kept.add(feature);
            } else {
                missing.add("'" + name + "'");
            }
        });
        String reason = missing.isEmpty()
                ? ""
                : "the Fondation queue functions at " + client.deploymentUrl() + " predate "
                        + String.join(", ", missing) + " (queue:capabilities does not list them; deploy"
                        + " convex-queue/convex): the worker keeps today's behaviour for them";
        return new FleetSupport(kept, reason);
    }

    @Override
    public FleetSupport fleetSupport() {
        return fleet;
    }

    @Override
    public ConvexPauses pauses() {
        if (pauses == null) {
            throw new UnsupportedOperationException(fleet.reason());
        }
        return pauses;
    }

    @Override
    public CheckpointSupport checkpointSupport() {
        return checkpoints != null
                ? CheckpointSupport.SUPPORTED
                : CheckpointSupport.unsupported("the Fondation queue functions at " + client.deploymentUrl()
                        + " predate checkpoints (queue:capabilities lists no '" + DeploymentProbe.CHECKPOINTS_FEATURE
                        + "'; deploy convex-queue/convex): a retried job reruns its analysis from the start");
    }

    @Override
    public ConvexCheckpoints checkpoints() {
        if (checkpoints == null) {
            throw new UnsupportedOperationException(checkpointSupport().reason());
        }
        return checkpoints;
    }

    private Map<String, Object> withSecret(Args args) {
        return args.put("workerSecret", workerSecret).map();
    }

    @Override
    public String enqueue(JobSpec spec) {
        CloneSource source = spec.source();
        Map<String, Object> sourceArg = new LinkedHashMap<>();
        if (source.url() != null) {
            sourceArg.put("url", source.url());
        } else {
            sourceArg.put("fullName", source.fullName());
        }
        if (source.branch() != null) {
            sourceArg.put("branch", source.branch());
        }
        Args args = Args.of()
                .put("source", sourceArg)
                .put("prompt", spec.prompt())
                .put("maxAttempts", (double) spec.maxAttempts())
                .epochMillis("runAt", spec.runAt())
                .put("dedupeKey", spec.dedupeKey());
        // why only when kept: Convex refuses arguments a function does not declare, and older functions lack these.
        if (fleet.supports(FleetSupport.Feature.FAIR_CLAIMS)) {
            args.put("user", spec.user()).put("priority", spec.priority() == 0 ? null : (double) spec.priority());
        }
        if (fleet.supports(FleetSupport.Feature.COST_BUDGETS)) {
            args.put("maxCostUsd", JobRows.usdArg(spec.maxCostUsd()));
        }
        // With a dedupe key a repeated enqueue returns the same job, so it may be retried.
        Idempotence idempotence = spec.dedupeKey() != null ? Idempotence.IDEMPOTENT : Idempotence.NOT_IDEMPOTENT;
        JsonNode id = client.mutation("queue:enqueue", withSecret(args), idempotence);
        return id.asText();
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        return claimOne(ClaimRequest.of(workerId, leaseDuration)).job();
    }

    /**
     * {@code queue:claimOne} with {@code credential} (pauses) and {@code maxCostUsd} (the worker's default cap) when
     * the request names them and the functions keep them; functions that predate them are never sent them (Convex
     * refuses arguments a function does not declare). With a credential and functions that list {@value
     * DeploymentProbe#CLAIM_ANSWERS_PAUSE_FEATURE}, {@code answerPause}: a claim held back by the pause answers it,
     * and a claimed job says whether it is the probe, in the one call. Functions with pauses that predate that
     * feature answer {@code null} and no {@code probe}: then an empty claim reads the pause ({@code queue:getPause},
     * the one extra call of before), and every job claimed with a credential counts as a possible probe, so that the
     * worker clears a spent pause after a success as before ({@code queue:clearPause} keeps a pause in force).
     */
    @Override
    public ClaimResult claimOne(ClaimRequest request) {
        String workerId = request.workerId();
        Duration leaseDuration = request.lease();
        String credential = fleet.supports(FleetSupport.Feature.LLM_PAUSES) ? request.credential() : null;
        Double defaultCap =
                fleet.supports(FleetSupport.Feature.COST_BUDGETS) ? JobRows.usdArg(request.defaultMaxCostUsd()) : null;
        Boolean answerPause = credential != null && claimAnswersPause ? Boolean.TRUE : null;
        for (int skipped = 0; skipped <= MAX_SKIPPED_PER_CLAIM; skipped++) {
            Instant start = clock.instant();
            Args args = Args.of()
                    .put("workerId", workerId)
                    .millis("leaseMs", leaseDuration)
                    .put("claimToken", UUID.randomUUID().toString())
                    .put("credential", credential)
                    .put("maxCostUsd", defaultCap)
                    .put("answerPause", answerPause);
            // The claim token makes a retried claim return the job the lost response carried.
            JsonNode row = client.mutation("queue:claimOne", withSecret(args), Idempotence.IDEMPOTENT);
            if (row == null || row.isNull()) {
                return credential != null && !claimAnswersPause ? pausedBefore(credential) : ClaimResult.NONE;
            }
            JsonNode paused = row.get("paused");
            if (paused != null && !paused.isNull()) {
                return ClaimResult.pausedBy(ConvexPauses.pause(paused, "claimOne"));
            }
            String id = JobRows.id(row);
            String leaseToken = JobRows.text(row, "leaseToken");
            if (id == null || leaseToken == null) {
                throw new JobQueueException("queue:claimOne answered without a job id or lease token", false);
            }
            JobLease lease = new JobLease(id, workerId, leaseToken, leaseEnd(row, start, leaseDuration));
            CloneSource source;
            try {
                source = JobRows.source(row, lookups::repository);
                if (source == null) {
                    throw new IllegalArgumentException("the job names no repository or clone source");
                }
            } catch (IllegalArgumentException e) {
                failInvalidJob(lease, e.getMessage());
                continue;
            }
            ClaimedJob job = JobRows.claim(row, source, lease, true);
            // why: functions whose claims cannot say whether they are the probe mark every claim naming a credential as
            // one, so that a success clears a spent pause as before (queue:clearPause keeps a pause in force)
            return ClaimResult.of(credential != null && !claimAnswersPause ? job.asProbe() : job);
        }
        return ClaimResult.NONE;
    }

    /**
     * The answer to an empty claim of functions that predate {@value DeploymentProbe#CLAIM_ANSWERS_PAUSE_FEATURE}: the
     * credential's pause when it holds claims back now ({@code queue:getPause}); a pause that cannot be read is none
     * (the next claim asks again).
     */
    private ClaimResult pausedBefore(String credential) {
        try {
            Instant now = clock.instant();
            return pauses.get(credential)
                    .filter(pause -> pause.holdsAt(now))
                    .map(ClaimResult::pausedBy)
                    .orElse(ClaimResult.NONE);
        } catch (RuntimeException e) {
            LOG.debug("reading the LLM pause after an empty claim failed: {}", e.toString());
            return ClaimResult.NONE;
        }
    }

    /**
     * The earlier of the deployment's {@code leaseUntil} and the local estimate, so clock skew never
     * makes the worker think it holds the job longer.
     */
    private static Instant leaseEnd(JsonNode answer, Instant callStart, Duration leaseDuration) {
        Instant local = callStart.plus(leaseDuration);
        Instant server = JobRows.instant(answer, "leaseUntil");
        return server != null && server.isBefore(local) ? server : local;
    }

    private void failInvalidJob(JobLease lease, String problem) {
        LOG.warn("Job {} cannot be run and is failed: {}", lease.jobId(), problem);
        retryOrFail(
                lease, JobFailure.of(io.fondation.shared.FailureKind.INVALID_INPUT, "invalid job: " + problem), null);
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        Instant start = clock.instant();
        Args args = lease(lease)
                .put("status", phase == null ? null : phase.wireName())
                .millis("leaseMs", leaseDuration)
                .progress(progress);
        // Sent once: the worker's heartbeat, which knows the lease deadline, is the one layer that retries.
        JsonNode answer = client.callOnce(ConvexClient.FunctionKind.MUTATION, "queue:heartbeat", withSecret(args));
        boolean held = JobRows.bool(answer, "leaseHeld");
        boolean cancel = JobRows.bool(answer, "cancelRequested");
        if (!held) {
            return new HeartbeatResult(false, cancel, lease);
        }
        return new HeartbeatResult(true, cancel, lease.renewedUntil(leaseEnd(answer, start, leaseDuration)));
    }

    /** An attempt's cost for the functions, or null (left out) when unknown or the functions keep no budgets. */
    private Double costArg(BigDecimal attemptCostUsd) {
        return fleet.supports(FleetSupport.Feature.COST_BUDGETS) ? JobRows.usdArg(attemptCostUsd) : null;
    }

    private Args lease(JobLease lease) {
        return Args.of()
                .put("jobId", lease.jobId())
                .put("workerId", lease.workerId())
                .put("leaseToken", lease.token());
    }

    /**
     * Stages the documents under this lease's run id ({@code queue:saveDocuments}), then completes: the
     * completion makes that run the job's course and drops any other run's documents, so documents staged by an
     * attempt that did not complete never show.
     */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, List<List<Document>> batches) {
        return complete(lease, completion, batches, null);
    }

    /** {@inheritDoc} The cost travels as {@code costUsd} of {@code queue:complete}, fenced with it. */
    @Override
    public CompleteOutcome complete(
            JobLease lease, Completion completion, List<List<Document>> batches, BigDecimal attemptCostUsd) {
        for (List<Document> batch : batches) {
            Args args = lease(lease).put("runId", lease.token()).put("files", JobRows.files(batch));
            // An upsert by (job, slug): repeating it stores the same thing.
            JsonNode answer = client.mutation("queue:saveDocuments", withSecret(args), Idempotence.IDEMPOTENT);
            if (!JobRows.bool(answer, "leaseHeld")) {
                // Lost or canceled: the complete below says which, and changes nothing.
                break;
            }
        }
        JobResult result = completion.result();
        Args args = lease(lease)
                .put("runId", lease.token())
                .put("result", JobRows.resultArg(result))
                .put("docsCount", (double) result.documentCount())
                .progress(completion.progress())
                .put("costUsd", costArg(attemptCostUsd));
        // The deployment remembers which lease completed the job: a repeated call with this lease (a lost
        // response) answers already_completed, any other holder not_held. So retrying is safe.
        JsonNode answer = client.mutation("queue:complete", withSecret(args), Idempotence.IDEMPOTENT);
        String outcome = JobRows.text(answer, "outcome");
        if (outcome == null) {
            throw new JobQueueException("queue:complete answered without an outcome", false);
        }
        switch (outcome) {
            case "completed":
                return CompleteOutcome.COMPLETED;
            case "already_completed":
                return CompleteOutcome.ALREADY_COMPLETED;
            case "canceled":
                return CompleteOutcome.CANCELED;
            case "not_held":
                return CompleteOutcome.NOT_HELD;
            default:
                throw new JobQueueException("queue:complete answered an unknown outcome '" + outcome + "'", false);
        }
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        return retryOrFail(lease, failure, progress, null);
    }

    /** {@inheritDoc} The cost travels as {@code costUsd} of {@code queue:retryOrFail}, which decides with it. */
    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        Args args = lease(lease)
                .put("costUsd", costArg(attemptCostUsd))
                .progress(progress)
                .put("error", failure.message())
                .put("retryable", failure.retryable())
                .millis("minDelayMs", failure.minRetryDelay().isZero() ? null : failure.minRetryDelay());
        // Fenced by the lease token: a repeat after a lost response finds the lease gone and changes
        // nothing (it reports not_held), so it is safe to retry.
        JsonNode answer = client.mutation("queue:retryOrFail", withSecret(args), Idempotence.IDEMPOTENT);
        return JobRows.retryDecision(answer, "queue:retryOrFail");
    }

    @Override
    public boolean release(JobLease lease) {
        return release(lease, null);
    }

    /** {@inheritDoc} The cost travels as {@code costUsd} of {@code queue:release}. */
    @Override
    public boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        Args args = lease(lease).put("costUsd", costArg(attemptCostUsd));
        JsonNode answer = client.mutation("queue:release", withSecret(args), Idempotence.IDEMPOTENT);
        return JobRows.bool(answer, "released");
    }

    @Override
    public boolean cancel(String jobId) {
        // Canceling twice leaves the job canceled: safe to retry.
        JsonNode answer =
                client.mutation("queue:cancel", withSecret(Args.of().put("jobId", jobId)), Idempotence.IDEMPOTENT);
        return JobRows.bool(answer, "canceled");
    }

    @Override
    public Optional<JobSnapshot> get(String jobId) {
        JsonNode row = client.query("queue:getJob", withSecret(Args.of().put("jobId", jobId)));
        if (row == null || !row.isObject()) {
            return Optional.empty();
        }
        return Optional.of(JobRows.snapshot(row, lookups::repositoryOrNull));
    }

    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        if (limit < 1) {
            return List.of();
        }
        // The deployment returns at most MAX_LIST_LIMIT jobs per call.
        Args args = Args.of()
                .put("status", status == null ? null : status.wireName())
                .put("limit", (double) Math.min(limit, MAX_LIST_LIMIT));
        JsonNode rows = client.query("queue:listJobs", withSecret(args));
        List<JobSnapshot> jobs = new ArrayList<>();
        for (JsonNode row : rows) {
            jobs.add(JobRows.snapshot(row, lookups::repositoryOrNull));
        }
        return jobs;
    }

    /** {@code queue:watch}: pending count, earliest runAt, earliest lease end. */
    @Override
    public WatchQuery<WatchQuery.WorkState> workQuery() {
        return new WatchQuery<>("queue:watch", withSecret(Args.of()), WatchQuery.WorkState::fromWatch);
    }

    /** {@code queue:watchJob}: one document read per change of the job. */
    @Override
    public WatchQuery<Boolean> cancellationQuery(JobLease lease) {
        Args args = Args.of().put("jobId", lease.jobId()).put("leaseToken", lease.token());
        return new WatchQuery<>("queue:watchJob", withSecret(args), value -> JobRows.bool(value, "cancelRequested"));
    }

    @Override
    public List<Document> documents(String jobId) {
        JsonNode rows = client.query("queue:listDocuments", withSecret(Args.of().put("jobId", jobId)));
        List<Document> documents = new ArrayList<>();
        if (rows != null && rows.isArray()) {
            for (JsonNode row : rows) {
                documents.add(JobRows.document(row));
            }
        }
        return documents;
    }

    @Override
    public Map<JobStatus, Long> countByStatus() {
        return JobRows.statusCounts(client.query("queue:getMetrics", withSecret(Args.of())));
    }

    /**
     * {@inheritDoc} One {@code queue:depth} query with {@code now} as its argument (so Convex's query cache never
     * answers for another instant), counting up to the function's default limit (100 per count).
     */
    @Override
    public Optional<DepthCounts> depth(Instant now) {
        if (!depth) {
            return Optional.empty();
        }
        JsonNode answer = client.query("queue:depth", withSecret(Args.of().epochMillis("now", now)));
        return Optional.of(depthCounts(answer));
    }

    /** The counts of a {@code queue:depth} answer. */
    static DepthCounts depthCounts(JsonNode answer) {
        Set<DepthCounts.Count> capped = EnumSet.noneOf(DepthCounts.Count.class);
        for (JsonNode name : answer.path("capped")) {
            capped.add(DepthCounts.Count.valueOf(name.asText().toUpperCase(Locale.ROOT)));
        }
        return new DepthCounts(
                count(answer, "pending"),
                count(answer, "due"),
                count(answer, "running"),
                count(answer, "paused"),
                capped);
    }

    private static long count(JsonNode answer, String field) {
        JsonNode value = answer.get(field);
        if (value == null || !value.isNumber()) {
            throw new JobQueueException("queue:depth answered without a number '" + field + "'", false);
        }
        return Math.round(value.doubleValue());
    }
}
