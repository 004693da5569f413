package io.fondation.convexqueue;

import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The calls of one generation of the Convex queue functions. Implementations let
 * {@link io.fondation.convexqueue.client.ConvexException}s through; {@link ConvexJobQueue}
 * translates them.
 */
interface QueueProtocol {

    /** Jobs that cannot be run (malformed source) are given back and skipped; at most this many per claimOne call. */
    int MAX_SKIPPED_PER_CLAIM = 20;

    String enqueue(JobSpec spec);

    Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration);

    /** Tried once: no retry here or in the client (the worker's heartbeat retries within the lease deadline). */
    HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration);

    /**
     * @param completion what the completing attempt writes
     * @param batches the completion's documents, already split within the deployment's limits
     */
    CompleteOutcome complete(JobLease lease, Completion completion, List<List<Document>> batches);

    RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress);

    boolean release(JobLease lease);

    boolean cancel(String jobId);

    Optional<JobSnapshot> get(String jobId);

    List<JobSnapshot> list(JobStatus status, int limit);

    List<Document> documents(String jobId);

    /** The jobs of each status, from {@code queue:getMetrics} (one query; it counts at most 1000 per status). */
    Map<JobStatus, Long> countByStatus();
    /**
     * The queue's depth at {@code now}: {@code queue:depth} of the hardened functions that list the {@value
     * DeploymentProbe#DEPTH_FEATURE} feature; empty for functions without it.
     */
    Optional<DepthCounts> depth(Instant now);

    /** The query whose pushed result tells when a claim may find a job (see {@link WorkWatch}). */
    WatchQuery<WatchQuery.WorkState> workQuery();

    /** The query whose pushed result tells whether cancellation of the held job was requested. */
    WatchQuery<Boolean> cancellationQuery(JobLease lease);

    /** Whether these functions keep checkpoints, and why not. */
    CheckpointSupport checkpointSupport();

    /** The checkpoint calls; only when {@link #checkpointSupport()} says supported. */
    ConvexCheckpoints checkpoints();

    // ---------------------------------------------------------------- fleet (issue 22)

    /** Which of fair claims, pauses and budgets these functions keep, and why not the others. */
    FleetSupport fleetSupport();

    /** The pause calls; only when {@link #fleetSupport()} keeps {@link FleetSupport.Feature#LLM_PAUSES}. */
    ConvexPauses pauses();

    /**
     * A claim naming the worker's credential and default cap; functions without them claim as before, and answer no
     * pause and no probe.
     */
    default ClaimResult claimOne(ClaimRequest request) {
        return ClaimResult.of(claimOne(request.workerId(), request.lease()));
    }

    /** {@link #complete(JobLease, Completion, List)} with the attempt's cost; functions without budgets drop it. */
    default CompleteOutcome complete(
            JobLease lease, Completion completion, List<List<Document>> batches, BigDecimal attemptCostUsd) {
        return complete(lease, completion, batches);
    }

    /** {@link #retryOrFail(JobLease, JobFailure, Progress)} with the attempt's cost; functions without budgets drop it. */
    default RetryDecision retryOrFail(
            JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        return retryOrFail(lease, failure, progress);
    }

    /** {@link #release(JobLease)} with the attempt's cost; functions without budgets drop it. */
    default boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        return release(lease);
    }
}
