package io.fondation.http.oneshot;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentReadingOrder;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueArguments;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A queue of exactly one job, in memory: what {@code run-job} gives the ordinary {@link
 * io.fondation.engine.runtime.Worker}, so that a one-shot job runs through the same code as {@code run} (claim,
 * clone, analyze with heartbeats, gather, complete or retry-or-fail, release on shutdown). It hands the job out
 * while it is pending and due, keeps the lease rules of the SPI (fencing token), retries with the standard
 * {@link RetryPolicy} within the job's attempts, and keeps the completion for the complete callback.
 *
 * <p>A completion can be refused before it is accepted ({@code completionCheck}, for the callback payload limit):
 * the worker then records the attempt as failed with that message, as with any queue that refuses documents.
 */
final class SingleJobQueue implements JobQueue {

    private final String jobId;
    private final JobSpec spec;
    private final Clock clock;
    private final RetryPolicy policy;
    private final Function<Completion, Optional<String>> completionCheck;
    private final Instant createdAt;

    private JobStatus status = JobStatus.PENDING;
    private int attempts;
    private Instant runAt;
    private String workerId;
    private String token;
    private Instant leaseUntil;
    private Progress progress;
    private String lastError;
    private Completion completion;
    private boolean cancelRequested;
    private Instant updatedAt;
    private Instant completedAt;

    /**
     * @param completionCheck a reason to refuse a completion, or empty to accept it
     */
    SingleJobQueue(
            String jobId,
            JobSpec spec,
            Clock clock,
            RetryPolicy policy,
            Function<Completion, Optional<String>> completionCheck) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.completionCheck = Objects.requireNonNull(completionCheck, "completionCheck");
        this.createdAt = clock.instant();
        this.runAt = spec.runAt() != null ? spec.runAt() : createdAt;
        this.updatedAt = createdAt;
    }

    @Override
    public String enqueue(JobSpec other) {
        throw new JobQueueException.Rejected("a one-shot run has exactly one job (" + jobId + ")");
    }

    @Override
    public synchronized Optional<ClaimedJob> claimOne(String claimer, Duration leaseDuration) {
        QueueArguments.requireWorkerId(claimer);
        QueueArguments.requireLease(leaseDuration);
        Instant now = clock.instant();
        reclaimExpiredLease(now);
        if (status != JobStatus.PENDING || runAt.isAfter(now)) {
            return Optional.empty();
        }
        status = JobStatus.CLAIMED;
        workerId = claimer;
        token = UUID.randomUUID().toString();
        leaseUntil = now.plus(leaseDuration);
        updatedAt = now;
        // why: attempts counts the attempts started, as every queue does (JobQueue)
        attempts++;
        JobLease lease = new JobLease(jobId, claimer, token, leaseUntil);
        return Optional.of(new ClaimedJob(jobId, spec.source(), spec.prompt(), attempts, spec.maxAttempts(), lease));
    }

    @Override
    public synchronized HeartbeatResult heartbeat(
            JobLease lease, JobStatus phase, Progress newProgress, Duration leaseDuration) {
        QueueArguments.requireLease(leaseDuration);
        QueueArguments.requireWorkPhase(phase);
        if (cancelRequested && lease.token().equals(token)) {
            // Still the holder, told to stop; nothing about the job changes any more (as every queue answers).
            return new HeartbeatResult(true, true, lease);
        }
        if (!holds(lease)) {
            return HeartbeatResult.lost(lease);
        }
        Instant now = clock.instant();
        if (phase != null) {
            status = phase;
        }
        if (newProgress != null) {
            progress = newProgress;
        }
        leaseUntil = now.plus(leaseDuration);
        updatedAt = now;
        return new HeartbeatResult(true, cancelRequested, lease.renewedUntil(leaseUntil));
    }

    @Override
    public synchronized CompleteOutcome complete(JobLease lease, Completion value) {
        if (status == JobStatus.COMPLETED && lease.token().equals(token)) {
            return CompleteOutcome.ALREADY_COMPLETED;
        }
        if (cancelRequested && lease.token().equals(token)) {
            workerId = null;
            leaseUntil = null;
            return CompleteOutcome.CANCELED;
        }
        if (!holds(lease)) {
            return CompleteOutcome.NOT_HELD;
        }
        Optional<String> refused = completionCheck.apply(value);
        if (refused.isPresent()) {
            throw new JobQueueException.Rejected(refused.get());
        }
        Instant now = clock.instant();
        completion = value;
        if (value.progress() != null) {
            progress = value.progress();
        }
        status = JobStatus.COMPLETED;
        workerId = null;
        leaseUntil = null;
        updatedAt = now;
        completedAt = now;
        return CompleteOutcome.COMPLETED;
    }

    @Override
    public synchronized RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress last) {
        if (cancelRequested && lease.token().equals(token)) {
            token = null;
            workerId = null;
            leaseUntil = null;
            return new RetryDecision.NotHeld();
        }
        if (!holds(lease)) {
            return new RetryDecision.NotHeld();
        }
        Instant now = clock.instant();
        RetryDecision decision = policy.decide(
                Math.max(attempts, 1) - 1,
                spec.maxAttempts(),
                failure,
                now,
                ThreadLocalRandom.current().nextDouble());
        if (last != null) {
            progress = last;
        }
        lastError = failure.message();
        token = null;
        workerId = null;
        leaseUntil = null;
        updatedAt = now;
        if (decision instanceof RetryDecision.Retrying retrying) {
            attempts = retrying.attempts();
            status = JobStatus.PENDING;
            runAt = retrying.nextRunAt();
        } else if (decision instanceof RetryDecision.GaveUp gaveUp) {
            attempts = gaveUp.attempts();
            status = gaveUp.status();
            completedAt = now;
        }
        return decision;
    }

    @Override
    public synchronized boolean release(JobLease lease) {
        if (cancelRequested && lease.token().equals(token)) {
            // The cancellation stands, in the attempt it was made in; only the lock is given back.
            token = null;
            workerId = null;
            leaseUntil = null;
            return false;
        }
        if (!holds(lease)) {
            return false;
        }
        Instant now = clock.instant();
        attempts = Math.max(attempts - 1, 0);
        status = JobStatus.PENDING;
        runAt = now;
        token = null;
        workerId = null;
        leaseUntil = null;
        updatedAt = now;
        return true;
    }

    @Override
    public synchronized boolean cancel(String id) {
        if (!jobId.equals(id) || status.isTerminal()) {
            return false;
        }
        Instant now = clock.instant();
        boolean leased = status.isLeased();
        status = JobStatus.CANCELED;
        cancelRequested = leased;
        lastError = null;
        updatedAt = now;
        completedAt = now;
        return true;
    }

    @Override
    public synchronized Optional<JobSnapshot> get(String id) {
        return jobId.equals(id) ? Optional.of(snapshot()) : Optional.empty();
    }

    @Override
    public synchronized List<JobSnapshot> list(JobStatus filter, int limit) {
        return limit > 0 && (filter == null || filter == status) ? List.of(snapshot()) : List.of();
    }

    @Override
    public synchronized List<Document> documents(String id) {
        return jobId.equals(id) && status == JobStatus.COMPLETED && completion != null
                ? DocumentReadingOrder.sorted(completion.documents())
                : List.of();
    }

    /** The accepted completion, once the job completed. */
    synchronized Optional<Completion> completion() {
        return status == JobStatus.COMPLETED ? Optional.ofNullable(completion) : Optional.empty();
    }

    /**
     * The job's holder vanished when its lease ran out (its heartbeats failed past the lease): that attempt, counted
     * when it was claimed, is over; the job is pending and due at once, or dead when it was the last (as every queue
     * does in its claim). A canceled job only loses its stale lock.
     */
    private void reclaimExpiredLease(Instant now) {
        if (leaseUntil == null || leaseUntil.isAfter(now)) {
            return;
        }
        if (status.isLeased()) {
            JobStatus next = policy.afterExpiredLease(Math.max(attempts, 1) - 1, spec.maxAttempts());
            lastError = "lease expired while held by " + workerId;
            attempts = Math.max(attempts, 1);
            status = next;
            runAt = now;
            updatedAt = now;
            if (next.isTerminal()) {
                completedAt = now;
            }
        }
        token = null;
        workerId = null;
        leaseUntil = null;
    }

    private boolean holds(JobLease lease) {
        return token != null && lease.jobId().equals(jobId) && lease.token().equals(token) && status.isLeased();
    }

    private JobSnapshot snapshot() {
        return new JobSnapshot(
                jobId,
                status,
                spec.source(),
                spec.prompt(),
                attempts,
                spec.maxAttempts(),
                runAt,
                workerId,
                leaseUntil,
                progress,
                lastError,
                completion == null ? null : completion.result(),
                completion == null ? 0 : completion.result().documentCount(),
                cancelRequested,
                createdAt,
                updatedAt,
                completedAt);
    }
}
