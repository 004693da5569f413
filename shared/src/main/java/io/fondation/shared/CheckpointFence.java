package io.fondation.shared;

/** Who may write a job's checkpoint ({@link JobQueue#saveCheckpointFile}, {@link JobQueue#finishCheckpoint}). */
public enum CheckpointFence {

    /**
     * Only the lease holder, fenced like a heartbeat: the lease's token is the job's current one, the job is being
     * worked on and cancellation was not requested. What an attempt uses while it runs.
     */
    LEASE,

    /**
     * The lease holder as for {@link #LEASE}, or, once the lease is gone, while the job is waiting ({@code pending})
     * and no other lease opened or wrote its checkpoint since this one did: never over another holder's checkpoint,
     * never while another holds the job, never for a job that ended. For the output of an analysis that finished
     * but could not be saved before the lease ran out (the queue was unreachable): written as soon as the queue
     * answers again, so the next attempt completes without running the analyzer.
     */
    LEASE_OR_WAITING
}
