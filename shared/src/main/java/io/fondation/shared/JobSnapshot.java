package io.fondation.shared;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A job as {@link JobQueue#get} and {@link JobQueue#list} report it. Never carries secrets or
 * lease tokens.
 *
 * @param id job id
 * @param status current status
 * @param source what is cloned, or {@code null} when the queue holds a source that cannot be used
 * @param prompt the prompt
 * @param attempts attempts started so far: the running attempt's number while one runs, the attempt a canceled job
 *     was canceled in (see {@link JobQueue})
 * @param maxAttempts attempts allowed
 * @param runAt not before this instant (backoff), may be {@code null}
 * @param lockedBy the worker holding the lease, or {@code null} (always for an ended job, but a canceled one whose
 *     holder is still stopping)
 * @param leaseUntil when the lease ends, or {@code null}
 * @param progress the last reported progress, or {@code null}
 * @param lastError the last failure's message, or {@code null}
 * @param result the result when completed, or {@code null}
 * @param documentCount documents stored for the job
 * @param cancelRequested whether cancellation was requested
 * @param createdAt creation time
 * @param updatedAt last change
 * @param completedAt when it reached a terminal status, or {@code null}
 * @param user whose turn the job waits for, from a queue with {@link FleetSupport.Feature#FAIR_CLAIMS}, else {@code
 *     null}
 * @param priority its priority within its user's jobs (0 when the queue keeps none)
 * @param costUsd what its attempts cost in all, from a queue with {@link FleetSupport.Feature#COST_BUDGETS}, else
 *     {@code null}
 * @param maxCostUsd the cap on that sum in force (the job's own, else the cap its last claim set), or {@code null}
 */
public record JobSnapshot(
        String id,
        JobStatus status,
        CloneSource source,
        String prompt,
        int attempts,
        int maxAttempts,
        Instant runAt,
        String lockedBy,
        Instant leaseUntil,
        Progress progress,
        String lastError,
        JobResult result,
        int documentCount,
        boolean cancelRequested,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        String user,
        int priority,
        BigDecimal costUsd,
        BigDecimal maxCostUsd) {

    /** A job of a queue that keeps no users, priorities or costs. */
    public JobSnapshot(
            String id,
            JobStatus status,
            CloneSource source,
            String prompt,
            int attempts,
            int maxAttempts,
            Instant runAt,
            String lockedBy,
            Instant leaseUntil,
            Progress progress,
            String lastError,
            JobResult result,
            int documentCount,
            boolean cancelRequested,
            Instant createdAt,
            Instant updatedAt,
            Instant completedAt) {
        this(
                id,
                status,
                source,
                prompt,
                attempts,
                maxAttempts,
                runAt,
                lockedBy,
                leaseUntil,
                progress,
                lastError,
                result,
                documentCount,
                cancelRequested,
                createdAt,
                updatedAt,
                completedAt,
                null,
                0,
                null,
                null);
    }
}
