package io.fondation.shared;

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
        Instant completedAt) {}
