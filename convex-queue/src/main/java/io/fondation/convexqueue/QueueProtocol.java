package io.fondation.convexqueue;

import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Document;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.time.Duration;
import java.util.List;
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

    Optional<Claim> claimOne(String workerId, Duration leaseDuration);

    HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration);

    /** @param batches the documents, already split within the limits */
    boolean saveDocuments(JobLease lease, List<List<Document>> batches);

    CompleteOutcome complete(JobLease lease, JobResult result);

    RetryDecision retryOrFail(JobLease lease, JobFailure failure);

    boolean release(JobLease lease);

    boolean cancel(String jobId);

    Optional<JobSnapshot> get(String jobId);

    List<JobSnapshot> list(JobStatus status, int limit);

    List<Document> documents(String jobId);

    /**
     * A claimed job with what the worker may need later and the SPI's {@code ClaimedJob} does not
     * carry.
     *
     * @param job the claimed job
     * @param userId the owner in the {@code users} table (whose GitHub token clones it), or null
     */
    record Claim(io.fondation.shared.ClaimedJob job, String userId) {}
}
