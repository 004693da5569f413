package io.fondation.convexqueue;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.ConvexRequestException;
import io.fondation.convexqueue.client.ConvexTransportException;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueArguments;
import io.fondation.shared.QueueLimits;
import io.fondation.shared.QueueWatch;
import io.fondation.shared.RateLimitedRelease;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.UsdAmounts;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobQueue} of a Convex deployment, over {@link ConvexClient}.
 *
 * <p>{@link #connect} detects the functions the deployment has: the hardened ones
 * ({@code queue:capabilities}, {@link QueueMode#HARDENED}) with worker secret, fencing lease tokens,
 * idempotent claims, release and cancellation; or the existing ones ({@link QueueMode#LEGACY}),
 * used with exactly their arguments, with the features listed in {@link #missingFeatures()}
 * missing (a WARN says so at start-up).
 *
 * <p>Legacy mode and {@code CONVEX_DEPLOY_KEY}. The existing deployment never runs its internal
 * {@code queue:reclaimExpired}, so a crashed worker's job would stay claimed for good. With a deploy key (an admin
 * identity, which Convex lets call internal functions over HTTP) this queue runs it itself, every quarter lease (1 s
 * to 1 min apart, started by the first claim, on a daemon thread closed with the queue); like the real function it
 * spends one attempt on each job it puts back ({@code lastError 'Lease expired - worker likely crashed'}), and the
 * log says so. The existing functions have no release: {@link #release} spends an attempt too (lease shrunk by a
 * heartbeat, then reclaimed; without a key through {@code queue:retryOrFail}), which
 * {@link #releaseSpendsAttempt()} tells the worker.
 *
 * <p>Failures. A deployment that cannot be reached throws {@link JobQueueException} with
 * {@code isTransient() == true}. Idempotent calls (queries, fenced writes, claims with a claim token) are
 * retried by the client first; a heartbeat is sent once, since the worker retries it within the lease
 * deadline. A refused request or a failing function throws a non-transient {@link JobQueueException}
 * ({@link JobQueueException.Rejected} for bad input such as an oversized document).
 *
 * <p>Documents. {@link #complete} refuses a document larger than the deployment's limit
 * ({@code queue:capabilities}; 900 KiB of UTF-8 for the legacy functions) with
 * {@link JobQueueException.Rejected} naming its slug, before anything is stored, and sends the rest in calls
 * within the deployment's per-call limits.
 *
 * <p>Push. {@link #watchWork} subscribes over the client's sync socket to {@code queue:watch} (hardened: pending
 * count, earliest {@code runAt}, earliest lease end) or to the existing {@code queue:getMetrics} (legacy: {@code
 * counts.pending}, capped at 100, and the other counts, which also feed {@link #countByStatus()} without a call);
 * {@link #watchCancellation} to {@code queue:watchJob} or the existing {@code jobs:getJob}. Wake-ups are paced
 * ({@link ClaimPacer}) so that many subscribed workers do not all claim one new job.
 *
 * <p>Clone credentials. {@link #cloneCredentials} gives the GitHub token of the job's owner
 * (decrypted with {@code ENCRYPTION_KEY}); it is never put in job rows, URLs or messages.
 *
 * <p>Checkpoints. The hardened functions that list the {@code checkpoints} feature keep them in tables of their own
 * ({@code convex/checkpoints.ts}; {@link #checkpointSupport()} supported); a file larger than {@link #limits()} is
 * refused before any call. The legacy functions, and hardened ones deployed before checkpoints, keep none: {@link
 * #checkpointSupport()} says so and why, and every attempt reruns its analysis from the start.
 */
public final class ConvexJobQueue implements JobQueue {

    private static final Logger LOG = LoggerFactory.getLogger(ConvexJobQueue.class);
    /** How long {@link #watchWork} waits for the first pushed state, so that the watch is live on return. */
    static final Duration FIRST_PUSH_WAIT = Duration.ofSeconds(5);
    /** The longest wait before acting on a push, reached by a worker that keeps losing races. */
    static final Duration MAX_PUSH_SPREAD = Duration.ofSeconds(1);

    private final ConvexClient client;
    private final QueueMode mode;
    private final QueueProtocol protocol;
    private final Lookups lookups;
    private final DocumentBatches.Limits limits;
    /** Legacy mode with a deploy key: runs the existing deployment's unscheduled reclaim; else null. */
    private final ExpiredLeaseReclaimer reclaimer;

    private final ClaimPacer pacer = new ClaimPacer(MAX_PUSH_SPREAD);
    private final Set<QueueWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile WorkWatch workWatch;

    private ConvexJobQueue(
            ConvexClient client,
            QueueMode mode,
            QueueProtocol protocol,
            Lookups lookups,
            DocumentBatches.Limits limits,
            ExpiredLeaseReclaimer reclaimer) {
        this.client = client;
        this.mode = mode;
        this.protocol = protocol;
        this.lookups = lookups;
        this.limits = limits;
        this.reclaimer = reclaimer;
    }

    /**
     * Connects to the deployment and detects its queue functions.
     *
     * @param settings where the deployment is and the secrets to use
     * @param clock the source of "now" for lease deadlines and document summaries
     * @throws ConfigurationException naming the setting at fault: {@code CONVEX_URL} (malformed,
     *     unreachable, not a Convex deployment, no Fondation queue functions), {@code CONVEX_DEPLOY_KEY}
     *     (refused), {@code FONDATION_WORKER_SECRET} (missing or refused by the hardened functions)
     */
    public static ConvexJobQueue connect(ConvexQueueSettings settings, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        GitHubTokenCipher cipher = GitHubTokenCipher.withKey(settings.encryptionKey());
        ConvexClient client;
        try {
            client = settings.clientBuilder().build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(ConvexQueueSettings.CONVEX_URL, e.getMessage());
        }
        try {
            DeploymentProbe.Deployment deployment = DeploymentProbe.detect(client, settings);
            QueueMode mode = deployment.mode();
            String url = client.deploymentUrl().toString();
            if (mode == QueueMode.HARDENED) {
                Lookups lookups = new Lookups(client, settings.workerSecret(), cipher);
                LOG.info("Convex queue at {}: hardened functions", url);
                return new ConvexJobQueue(
                        client,
                        mode,
                        new HardenedProtocol(client, clock, settings.workerSecret(), lookups, deployment.features()),
                        lookups,
                        deployment.limits(),
                        null);
            }
            // The legacy functions validate their arguments strictly: no workerSecret there.
            Lookups lookups = new Lookups(client, null, cipher);
            boolean internalFunctions =
                    settings.deployKey() != null && canReclaim(new LegacyProtocol(client, clock, lookups, true), url);
            LegacyProtocol legacy = new LegacyProtocol(client, clock, lookups, internalFunctions);
            LOG.warn(
                    "Convex queue at {}: only the LEGACY Fondation queue functions are deployed; running without: {}."
                            + " Deploy convex-queue/convex to get them.",
                    url,
                    String.join("; ", mode.missingFeatures(internalFunctions)));
            if (settings.workerSecret() != null) {
                LOG.warn(
                        "{} is set but the legacy functions at {} do not check it",
                        ConvexQueueSettings.FONDATION_WORKER_SECRET,
                        url);
            }
            ExpiredLeaseReclaimer reclaimer =
                    internalFunctions ? new ExpiredLeaseReclaimer(legacy::reclaimExpired, url) : null;
            return new ConvexJobQueue(client, mode, legacy, lookups, deployment.limits(), reclaimer);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Whether the deploy key may run the internal {@code queue:reclaimExpired} of the legacy functions: one call
     * at start-up (it only puts expired leases back to pending, which is wanted anyway). Convex lets an admin
     * identity ({@code Authorization: Convex <deploy key>}) call internal functions over the HTTP API; a key that
     * may not is answered "Could not find public function", as for anyone else.
     */
    private static boolean canReclaim(LegacyProtocol legacy, String url) {
        try {
            int reclaimed = legacy.reclaimExpired();
            if (reclaimed > 0) {
                LOG.info("Convex queue at {}: at start-up, {}", url, LegacyProtocol.reclaimed(reclaimed));
            }
            return true;
        } catch (ConvexFunctionException e) {
            LOG.warn(
                    "{} is set, but the deployment at {} does not let it run the internal queue:reclaimExpired ({});"
                            + " running without reclaiming expired leases",
                    ConvexQueueSettings.CONVEX_DEPLOY_KEY,
                    url,
                    e.errorMessage());
            return false;
        } catch (JobQueueException e) {
            LOG.warn(
                    "{} is set, but queue:reclaimExpired at {} does not answer as the existing function does ({});"
                            + " running without reclaiming expired leases",
                    ConvexQueueSettings.CONVEX_DEPLOY_KEY,
                    url,
                    e.getMessage());
            return false;
        } catch (ConvexTransportException e) {
            // The deployment accepted the key for the probe just before: take it as able; the schedule retries.
            LOG.info(
                    "queue:reclaimExpired at {} could not be tried at start-up ({}); will try on schedule",
                    url,
                    e.getMessage());
            return true;
        }
    }

    /** Which functions the deployment has. */
    public QueueMode mode() {
        return mode;
    }

    /**
     * What this queue lacks compared with the hardened functions: {@link QueueMode#missingFeatures(boolean)}, with
     * internal functions when a deploy key lets it run {@code queue:reclaimExpired}.
     */
    public List<String> missingFeatures() {
        return mode.missingFeatures(reclaimer != null);
    }

    /** The client this queue uses (for other calls to the same deployment). */
    public ConvexClient client() {
        return client;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The GitHub token of the job's owner ({@code users:getUserById} → {@code githubId} →
     * {@code users:getGitHubToken}, decrypted with {@code ENCRYPTION_KEY}); empty when the job has no owner (e.g.
     * enqueued with a bare URL) or the owner has no token.
     *
     * @throws ConfigurationException naming {@code ENCRYPTION_KEY} when the token is encrypted and the key is
     *     missing or wrong
     */
    @Override
    public Optional<GitCredentials> cloneCredentials(ClaimedJob job) {
        Objects.requireNonNull(job, "job");
        if (job.owner() == null) {
            return Optional.empty();
        }
        return call("read the GitHub token of job " + job.id(), () -> lookups.githubCredentials(job.owner()));
    }

    /** The deployment's limits ({@code queue:capabilities}), or the defaults for the legacy functions. */
    @Override
    public QueueLimits limits() {
        return limits.queueLimits();
    }

    @Override
    public String enqueue(JobSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return call("enqueue", () -> protocol.enqueue(spec));
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        QueueArguments.requireWorkerId(workerId);
        QueueArguments.requireLease(leaseDuration);
        return claimOne(ClaimRequest.of(workerId, leaseDuration)).job();
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code queue:claimOne} with {@code credential}, {@code maxCostUsd} and {@code answerPause}; the legacy
     * functions (and hardened ones that predate a feature) are sent only what they take, and claim as {@link
     * #claimOne(String, Duration)}: the legacy functions answer no pause and no probe (they keep no pauses).
     */
    @Override
    public ClaimResult claimOne(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        if (reclaimer != null) {
            // Started by the first claim, which tells the lease: a quarter of it between runs.
            reclaimer.start(request.lease());
        }
        ClaimResult claimed = call("claim a job", () -> protocol.claimOne(request));
        WorkWatch watch = workWatch;
        if (watch != null) {
            watch.claimed(claimed.job().isPresent());
        }
        return claimed;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Subscribes to the queue's state over the sync socket and waits up to 5 s for the first one, so the watch is
     * normally live on return. {@code onWorkMayBeDue} runs on the watch's own thread when a job is due now, when
     * the pushed earliest {@code runAt} or lease end arrives, after a wait that grows while this worker's claims
     * after a push find nothing (another worker was faster) and shrinks when they succeed. Legacy mode: the
     * existing counts cannot say when a retried job comes due, so after a claim that found a pending job not yet
     * due the watch is not live (the worker polls) until the queue is empty or a claim succeeds.
     *
     * @return the watch; {@link QueueWatch#NONE} when the subscription cannot be made
     */
    @Override
    public QueueWatch watchWork(Runnable onWorkMayBeDue) {
        Objects.requireNonNull(onWorkMayBeDue, "onWorkMayBeDue");
        WatchQuery<WatchQuery.WorkState> query = protocol.workQuery();
        WorkWatch watch;
        try {
            watch = WorkWatch.start(client, query, onWorkMayBeDue, pacer, FIRST_PUSH_WAIT);
        } catch (RuntimeException e) {
            LOG.warn("cannot subscribe to {} at {}; polling: {}", query.path(), client.deploymentUrl(), e.toString());
            return QueueWatch.NONE;
        }
        workWatch = watch;
        watches.add(watch);
        if (watch.isLive()) {
            LOG.info(
                    "Convex queue at {}: work pushed through a subscription to {}",
                    client.deploymentUrl(),
                    query.path());
        } else {
            // why: DEBUG, the sync client already said in one line why the socket is not there
            LOG.debug("Convex queue at {}: subscribed to {}, not live yet", client.deploymentUrl(), query.path());
        }
        return new TrackedWatch(watch);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A subscription to {@code queue:watchJob} (legacy: {@code jobs:getJob}); {@code onCancelRequested} runs
     * on the client's sync thread.
     */
    @Override
    public QueueWatch watchCancellation(JobLease lease, Runnable onCancelRequested) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(onCancelRequested, "onCancelRequested");
        WatchQuery<Boolean> query = protocol.cancellationQuery(lease);
        try {
            CancellationWatch watch = CancellationWatch.start(client, lease.jobId(), query, onCancelRequested);
            watches.add(watch);
            return new TrackedWatch(watch);
        } catch (RuntimeException e) {
            LOG.warn("cannot subscribe to {} for job {}: {}", query.path(), lease.jobId(), e.toString());
            return QueueWatch.NONE;
        }
    }

    /** A watch that this queue forgets when it is closed. */
    private final class TrackedWatch implements QueueWatch {
        private final QueueWatch watch;

        TrackedWatch(QueueWatch watch) {
            this.watch = watch;
        }

        @Override
        public boolean isLive() {
            return watch.isLive();
        }

        @Override
        public void close() {
            watches.remove(watch);
            if (workWatch == watch) {
                workWatch = null;
            }
            watch.close();
        }

        @Override
        public String toString() {
            return watch.toString();
        }
    }

    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        Objects.requireNonNull(lease, "lease");
        QueueArguments.requireLease(leaseDuration);
        QueueArguments.requireWorkPhase(phase);
        return call(
                "renew the lease of job " + lease.jobId(),
                () -> protocol.heartbeat(lease, phase, progress, leaseDuration));
    }

    /**
     * {@inheritDoc}
     *
     * @throws JobQueueException.Rejected naming the slug of a document larger than {@link #limits()}; nothing is
     *     stored then
     */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion) {
        return complete(lease, completion, null);
    }

    /**
     * {@inheritDoc}
     *
     * @throws JobQueueException.Rejected naming the slug of a document larger than {@link #limits()}; nothing is
     *     stored then
     */
    @Override
    public CompleteOutcome complete(JobLease lease, Completion completion, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(completion, "completion");
        UsdAmounts.require("attemptCostUsd", attemptCostUsd);
        limits().requireFits(completion.documents());
        List<List<Document>> batches = limits.split(completion.documents());
        return call(
                "complete job " + lease.jobId(), () -> protocol.complete(lease, completion, batches, attemptCostUsd));
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
        return retryOrFail(lease, failure, progress, null);
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failure, "failure");
        UsdAmounts.require("attemptCostUsd", attemptCostUsd);
        return call(
                "record the failure of job " + lease.jobId(),
                () -> protocol.retryOrFail(lease, failure, progress, attemptCostUsd));
    }

    @Override
    public boolean release(JobLease lease) {
        return release(lease, null);
    }

    @Override
    public boolean release(JobLease lease, BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        UsdAmounts.require("attemptCostUsd", attemptCostUsd);
        return call("release job " + lease.jobId(), () -> protocol.release(lease, attemptCostUsd));
    }

    @Override
    public boolean cancel(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return call("cancel job " + jobId, () -> protocol.cancel(jobId));
    }

    @Override
    public Optional<JobSnapshot> get(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return call("read job " + jobId, () -> protocol.get(jobId));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The hardened functions return at most 1000 jobs per call; larger limits are reduced to that.
     * Not available against the legacy functions ({@link JobQueueException.Rejected}).
     */
    @Override
    public List<JobSnapshot> list(JobStatus status, int limit) {
        return call("list jobs", () -> protocol.list(status, limit));
    }

    @Override
    public List<Document> documents(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return call("read the documents of job " + jobId, () -> protocol.documents(jobId));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code queue:getMetrics} query; the hardened function counts at most 1000 jobs per status. Legacy mode:
     * while the work watch is live the counts come from its latest pushed {@code queue:getMetrics} value, without a
     * call; they are the existing function's {@code counts} (pending, claimed, completed, failed, dead; at most 100
     * each), and the statuses it does not count are left out.
     */
    @Override
    public Optional<Map<JobStatus, Long>> countByStatus() {
        WorkWatch watch = workWatch;
        Map<JobStatus, Long> pushed = watch == null ? null : watch.liveCounts();
        if (pushed != null) {
            return Optional.of(pushed);
        }
        return Optional.of(call("count jobs", protocol::countByStatus));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code queue:depth} query (the same counting as the deployment's route {@code GET /queue/depth}, which
     * KEDA polls), each count up to 100, with {@code now} as its argument. Empty against the legacy functions and
     * hardened ones deployed before it ({@code queue:capabilities} lists no {@value DeploymentProbe#DEPTH_FEATURE}).
     */
    @Override
    public Optional<DepthCounts> depth(Instant now) {
        Objects.requireNonNull(now, "now");
        return call("count the queue's depth", () -> protocol.depth(now));
    }

    // ---------------------------------------------------------------- checkpoints

    /** {@inheritDoc} Supported by the hardened functions that list the {@code checkpoints} feature. */
    @Override
    public CheckpointSupport checkpointSupport() {
        return protocol.checkpointSupport();
    }

    @Override
    public Optional<Checkpoint> openCheckpoint(JobLease lease) {
        Objects.requireNonNull(lease, "lease");
        ConvexCheckpoints checkpoints = protocol.checkpoints();
        return call("open the checkpoint of job " + lease.jobId(), () -> checkpoints.open(lease));
    }

    @Override
    public Optional<Checkpoint> checkpoint(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        ConvexCheckpoints checkpoints = protocol.checkpoints();
        return call("read the checkpoint of job " + jobId, () -> checkpoints.read(jobId));
    }

    /**
     * {@inheritDoc}
     *
     * @throws JobQueueException.Rejected naming the file when it is larger than {@link #limits()} allows (before any
     *     call), or when the checkpoint is full
     */
    @Override
    public CheckpointWrite saveCheckpointFile(
            JobLease lease, CheckpointBasis basis, CheckpointFile file, CheckpointFence fence) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fence, "fence");
        ConvexCheckpoints checkpoints = protocol.checkpoints();
        int size = file.contentBytes();
        int limit = limits().maxDocumentContentBytes();
        if (size > limit) {
            throw new JobQueueException.Rejected("checkpoint file '" + file.path() + "' is " + size
                    + " bytes; the deployment keeps at most " + limit + " bytes per file (it is redone on resume)");
        }
        return call(
                "save checkpoint file " + file.path() + " of job " + lease.jobId(),
                () -> checkpoints.save(lease, basis, file, fence));
    }

    /** {@inheritDoc} Sent in calls of at most 8 paths (deleting a file reads it, within Convex's read limit). */
    @Override
    public CheckpointWrite removeCheckpointFiles(JobLease lease, Collection<String> paths) {
        Objects.requireNonNull(lease, "lease");
        ConvexCheckpoints checkpoints = protocol.checkpoints();
        List<String> copy = List.copyOf(paths);
        return call("remove checkpoint files of job " + lease.jobId(), () -> checkpoints.remove(lease, copy));
    }

    @Override
    public CheckpointWrite finishCheckpoint(
            JobLease lease, CheckpointBasis basis, Collection<String> paths, CheckpointFence fence) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(fence, "fence");
        ConvexCheckpoints checkpoints = protocol.checkpoints();
        List<String> copy = List.copyOf(paths);
        return call(
                "finish the checkpoint of job " + lease.jobId(), () -> checkpoints.finish(lease, basis, copy, fence));
    }

    // ---------------------------------------------------------------- fleet: fair claims, LLM pauses, budgets

    /**
     * {@inheritDoc} The hardened functions list what they keep in {@code queue:capabilities} ({@code fair-claims},
     * {@code llm-pauses}, {@code cost-budgets}); the legacy functions keep none.
     */
    @Override
    public FleetSupport fleetSupport() {
        return protocol.fleetSupport();
    }

    /** {@inheritDoc} {@code queue:recordPause}. */
    @Override
    public LlmPause recordPause(String workerId, String credential, LlmLimitKind kind, Duration retryAfter) {
        QueueArguments.requireWorkerId(workerId);
        ClaimRequest.requireFingerprint(Objects.requireNonNull(credential, "credential"));
        Objects.requireNonNull(kind, "kind");
        ConvexPauses pauses = protocol.pauses();
        return call("record a pause", () -> pauses.record(workerId, credential, kind, nonNegative(retryAfter)));
    }

    /** {@inheritDoc} {@code queue:clearPause}. */
    @Override
    public boolean clearPause(String workerId, String credential) {
        QueueArguments.requireWorkerId(workerId);
        ClaimRequest.requireFingerprint(Objects.requireNonNull(credential, "credential"));
        ConvexPauses pauses = protocol.pauses();
        return call("clear a pause", () -> pauses.clear(workerId, credential));
    }

    /** {@inheritDoc} {@code queue:getPause}: one document read. */
    @Override
    public Optional<LlmPause> pause(String credential) {
        ClaimRequest.requireFingerprint(Objects.requireNonNull(credential, "credential"));
        ConvexPauses pauses = protocol.pauses();
        return call("read a pause", () -> pauses.get(credential));
    }

    /** {@inheritDoc} {@code queue:listPauses} since this queue's clock's now (of the 100 latest pauses). */
    @Override
    public List<LlmPause> pauses() {
        ConvexPauses pauses = protocol.pauses();
        return call("list pauses", pauses::inForce);
    }

    /** {@inheritDoc} {@code queue:releaseRateLimited} (10 free releases per job). */
    @Override
    public RateLimitedRelease releaseRateLimited(
            JobLease lease,
            String credential,
            LlmLimitKind kind,
            Duration retryAfter,
            String error,
            BigDecimal attemptCostUsd) {
        Objects.requireNonNull(lease, "lease");
        ClaimRequest.requireFingerprint(Objects.requireNonNull(credential, "credential"));
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(error, "error");
        UsdAmounts.require("attemptCostUsd", attemptCostUsd);
        ConvexPauses pauses = protocol.pauses();
        return call(
                "release rate-limited job " + lease.jobId(),
                () -> pauses.releaseRateLimited(
                        lease, credential, kind, nonNegative(retryAfter), error, attemptCostUsd));
    }

    private static Duration nonNegative(Duration retryAfter) {
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        return retryAfter;
    }

    /**
     * {@inheritDoc}
     *
     * <p>True in legacy mode: the existing functions have no release, so giving a job back goes through {@code
     * queue:reclaimExpired} (with a deploy key) or {@code queue:retryOrFail}, and both spend an attempt.
     */
    @Override
    public boolean releaseSpendsAttempt() {
        return mode == QueueMode.LEGACY;
    }

    /**
     * Ends the watches, stops the reclaim schedule (legacy mode with a deploy key) and closes the client (its sync
     * socket and HTTP connections).
     */
    @Override
    public void close() {
        for (QueueWatch watch : List.copyOf(watches)) {
            watch.close();
        }
        watches.clear();
        workWatch = null;
        if (reclaimer != null) {
            reclaimer.close();
        }
        client.close();
    }

    @Override
    public String toString() {
        return "ConvexJobQueue[" + client.deploymentUrl() + ", " + mode + "]";
    }

    // ---------------------------------------------------------------- errors

    private static <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (ConvexException e) {
            throw translate(operation, e);
        }
    }

    /** Maps client errors onto the SPI's: unreachable → transient; refused → not; bad input → Rejected. */
    static JobQueueException translate(String operation, ConvexException e) {
        if (e instanceof ConvexTransportException transport) {
            return new JobQueueException(
                    "cannot " + operation + ": " + transport.getMessage(), transport.isRetryable(), transport);
        }
        if (e instanceof ConvexRequestException request) {
            String setting = request.isAuthenticationFailure() ? ConvexQueueSettings.CONVEX_DEPLOY_KEY + ": " : "";
            return new JobQueueException(setting + "cannot " + operation + ": " + request.getMessage(), false, request);
        }
        if (e instanceof ConvexFunctionException function) {
            String code = function.errorCode().orElse("");
            String reason = function.reason();
            switch (code) {
                case "UNAUTHORIZED":
                    return new JobQueueException(
                            ConvexQueueSettings.FONDATION_WORKER_SECRET + ": cannot " + operation + ": " + reason,
                            false,
                            function);
                case "DOCUMENT_TOO_LARGE":
                case "BATCH_TOO_LARGE":
                case "CHECKPOINT_FULL":
                case "INVALID_ARGUMENT":
                case "NOT_FOUND":
                case "FORBIDDEN":
                case "CONFLICT":
                case "FAILED_PRECONDITION":
                    return new JobQueueException.Rejected("cannot " + operation + ": " + reason);
                default:
                    return new JobQueueException(
                            "cannot " + operation + ": " + function.functionPath() + " failed: " + reason,
                            false,
                            function);
            }
        }
        return new JobQueueException("cannot " + operation + ": " + e.getMessage(), false, e);
    }
}
