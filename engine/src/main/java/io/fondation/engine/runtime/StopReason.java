package io.fondation.engine.runtime;

/** Why a running attempt was told to stop, and so what it may still write. */
enum StopReason {
    /** The queue says another worker may hold the job: write nothing more. */
    LEASE_LOST,
    /** Cancellation was requested: the job is already canceled; write nothing more. */
    CANCEL_REQUESTED,
    /** The worker is shutting down: release the job (no attempt spent). */
    SHUTDOWN,
    /** No heartbeat got through before the lease deadline: release if the queue still lets us. */
    LEASE_DEADLINE
}
