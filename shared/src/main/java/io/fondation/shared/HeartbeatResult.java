package io.fondation.shared;

/**
 * What a heartbeat learned.
 *
 * @param leaseHeld whether the caller still holds the job; when false it must stop working on it
 * @param cancelRequested whether cancellation was requested; the holder should stop and report it
 * @param lease the renewed lease when held, else the caller's unchanged lease
 */
public record HeartbeatResult(boolean leaseHeld, boolean cancelRequested, JobLease lease) {

    public static HeartbeatResult lost(JobLease lease) {
        return new HeartbeatResult(false, false, lease);
    }
}
