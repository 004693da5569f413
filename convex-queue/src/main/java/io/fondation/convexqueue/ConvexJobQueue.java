package io.fondation.convexqueue;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.ConvexRequestException;
import io.fondation.convexqueue.client.ConvexTransportException;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Document;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * used with exactly their arguments, with the features listed in {@link QueueMode#missingFeatures()}
 * missing (a WARN says so at start-up).
 *
 * <p>Failures. A deployment that cannot be reached while jobs run does not stop the worker:
 * {@link #heartbeat} keeps retrying until the lease would expire (then reports the lease lost);
 * every other call throws {@link JobQueueException} with {@code isTransient() == true}. Idempotent
 * calls (queries, heartbeats, fenced writes, claims with a claim token) are retried by the client
 * first. A refused request or a failing function throws a non-transient {@link JobQueueException}
 * ({@link JobQueueException.Rejected} for bad input such as an oversized document).
 *
 * <p>Documents. {@link #saveDocuments} refuses a document whose content exceeds 900 KiB (UTF-8)
 * with {@link JobQueueException.Rejected} naming its slug, before anything is stored, and sends the
 * rest in calls of at most 8 MiB of content (Convex allows 1 MiB per document and 16 MiB per
 * argument).
 *
 * <p>Clone credentials. {@link #credentialsFor} gives the GitHub token of the job's owner
 * (decrypted with {@code ENCRYPTION_KEY}); it is never put in job rows, URLs or messages.
 */
public final class ConvexJobQueue implements JobQueue {

    private static final Logger LOG = LoggerFactory.getLogger(ConvexJobQueue.class);
    /** Waits between heartbeat tries while the deployment is unreachable: 0.5 s doubling up to 10 s, no jitter. */
    private static final RetryPolicy HEARTBEAT_BACKOFF =
            new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ZERO);

    private static final int MAX_REMEMBERED_CLAIMS = 10_000;

    private final ConvexClient client;
    private final Clock clock;
    private final QueueMode mode;
    private final QueueProtocol protocol;
    private final Lookups lookups;
    /** jobId → what the claim told us beyond the ClaimedJob (the owner), for credentialsFor. */
    private final Map<String, QueueProtocol.Claim> claims = new ConcurrentHashMap<>();

    private ConvexJobQueue(ConvexClient client, Clock clock, QueueMode mode, QueueProtocol protocol, Lookups lookups) {
        this.client = client;
        this.clock = clock;
        this.mode = mode;
        this.protocol = protocol;
        this.lookups = lookups;
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
            QueueMode mode = DeploymentProbe.detect(client, settings);
            String url = client.deploymentUrl().toString();
            if (mode == QueueMode.HARDENED) {
                Lookups lookups = new Lookups(client, settings.workerSecret(), cipher);
                LOG.info("Convex queue at {}: hardened functions", url);
                return new ConvexJobQueue(
                        client,
                        clock,
                        mode,
                        new HardenedProtocol(client, clock, settings.workerSecret(), lookups),
                        lookups);
            }
            // The legacy functions validate their arguments strictly: no workerSecret there.
            Lookups lookups = new Lookups(client, null, cipher);
            LOG.warn(
                    "Convex queue at {}: only the LEGACY Fondation queue functions are deployed; running without: {}."
                            + " Deploy convex-queue/convex to get them.",
                    url,
                    String.join("; ", mode.missingFeatures()));
            if (settings.workerSecret() != null) {
                LOG.warn(
                        "{} is set but the legacy functions at {} do not check it",
                        ConvexQueueSettings.FONDATION_WORKER_SECRET,
                        url);
            }
            return new ConvexJobQueue(client, clock, mode, new LegacyProtocol(client, clock, lookups), lookups);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Which functions the deployment has. */
    public QueueMode mode() {
        return mode;
    }

    /** The client this queue uses (for other calls to the same deployment). */
    public ConvexClient client() {
        return client;
    }

    /**
     * How to authenticate the clone of a job this queue handed out: the GitHub token of the job's
     * owner ({@code users:getUserById} → {@code githubId} → {@code users:getGitHubToken}, decrypted
     * with {@code ENCRYPTION_KEY}).
     *
     * @return empty when the job has no owner (e.g. enqueued with a bare URL), the owner has no token,
     *     or the job was not claimed through this queue
     * @throws ConfigurationException naming {@code ENCRYPTION_KEY} when the token is encrypted and the
     *     key is missing or wrong
     * @throws JobQueueException when the deployment cannot be read (transient when unreachable)
     */
    public Optional<GitCredentials> credentialsFor(ClaimedJob job) {
        QueueProtocol.Claim claim = claims.get(job.id());
        if (claim == null || claim.userId() == null) {
            return Optional.empty();
        }
        return call("read the GitHub token of job " + job.id(), () -> lookups.githubCredentials(claim.userId()));
    }

    @Override
    public String enqueue(JobSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return call("enqueue", () -> protocol.enqueue(spec));
    }

    @Override
    public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
        requireWorkerId(workerId);
        requireLease(leaseDuration);
        Optional<QueueProtocol.Claim> claim = call("claim a job", () -> protocol.claimOne(workerId, leaseDuration));
        claim.ifPresent(c -> {
            if (claims.size() >= MAX_REMEMBERED_CLAIMS) {
                claims.clear(); // Only reached if callers never finish jobs; bounded memory matters more.
            }
            claims.put(c.job().id(), c);
        });
        return claim.map(QueueProtocol.Claim::job);
    }

    /**
     * {@inheritDoc}
     *
     * <p>While the deployment cannot be reached, retries (with backoff) until the lease would expire;
     * then logs a warning and reports the lease lost, since another worker may get the job.
     */
    @Override
    public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
        Objects.requireNonNull(lease, "lease");
        requireLease(leaseDuration);
        if (phase != null && !phase.isWorkPhase()) {
            throw new IllegalArgumentException("heartbeat phase " + phase.wireName()
                    + " is not a work phase (cloning, analyzing, gathering or running)");
        }
        Duration remaining = Duration.between(clock.instant(), lease.expiresAt());
        // Real time bounds the retries: the injected clock may be a test clock that stands still.
        long deadline = System.nanoTime() + Math.max(0, remaining.toNanos());
        int failures = 0;
        while (true) {
            try {
                HeartbeatResult result = protocol.heartbeat(lease, phase, progress, leaseDuration);
                if (!result.leaseHeld()) {
                    claims.remove(lease.jobId());
                }
                return result;
            } catch (ConvexTransportException e) {
                if (!e.isRetryable()) {
                    throw translate("renew the lease of job " + lease.jobId(), e);
                }
                Duration backoff = HEARTBEAT_BACKOFF.backoff(++failures, 0);
                if (System.nanoTime() + backoff.toNanos() >= deadline) {
                    LOG.warn(
                            "Could not renew the lease of job {} before it expired at {}: {}; treating it as lost",
                            lease.jobId(),
                            lease.expiresAt(),
                            e.getMessage());
                    return HeartbeatResult.lost(lease);
                }
                LOG.warn(
                        "Heartbeat of job {} failed ({}); retrying in {} ms, lease expires at {}",
                        lease.jobId(),
                        e.getMessage(),
                        backoff.toMillis(),
                        lease.expiresAt());
                pause(backoff);
            } catch (ConvexException e) {
                throw translate("renew the lease of job " + lease.jobId(), e);
            }
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobQueueException("interrupted while retrying a heartbeat", true, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws JobQueueException.Rejected naming the slug of a document whose content exceeds 900 KiB;
     *     nothing is stored then
     */
    @Override
    public boolean saveDocuments(JobLease lease, List<Document> documents) {
        Objects.requireNonNull(lease, "lease");
        List<List<Document>> batches = DocumentBatches.split(List.copyOf(documents));
        return call("save the documents of job " + lease.jobId(), () -> protocol.saveDocuments(lease, batches));
    }

    @Override
    public CompleteOutcome complete(JobLease lease, JobResult result) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(result, "result");
        return ending(lease, "complete job " + lease.jobId(), () -> protocol.complete(lease, result));
    }

    @Override
    public RetryDecision retryOrFail(JobLease lease, JobFailure failure) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(failure, "failure");
        return ending(lease, "record the failure of job " + lease.jobId(), () -> protocol.retryOrFail(lease, failure));
    }

    @Override
    public boolean release(JobLease lease) {
        Objects.requireNonNull(lease, "lease");
        return ending(lease, "release job " + lease.jobId(), () -> protocol.release(lease));
    }

    /** A call that ends this process's hold on the job: once it answered, the claim is forgotten. */
    private <T> T ending(JobLease lease, String operation, Supplier<T> action) {
        T outcome = call(operation, action);
        claims.remove(lease.jobId());
        return outcome;
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

    /** Closes the HTTP client. */
    @Override
    public void close() {
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
                case "INVALID_ARGUMENT":
                case "NOT_FOUND":
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

    private static void requireWorkerId(String workerId) {
        if (workerId == null || workerId.isBlank()) {
            throw new IllegalArgumentException("a worker id is required");
        }
    }

    private static void requireLease(Duration leaseDuration) {
        if (leaseDuration == null || leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the lease must last at least 1 s, was " + leaseDuration);
        }
    }
}
