package io.fondation.convexqueue;

import java.util.List;

/** Which Fondation queue functions a deployment has, detected by {@link ConvexJobQueue#connect}. */
public enum QueueMode {

    /** The hardened functions ({@code queue:capabilities} answers): every feature of the JobQueue SPI. */
    HARDENED(List.of()),

    /**
     * Only the functions of the existing deployment ({@code queue:claimOne}, {@code queue:heartbeat},
     * ...). The worker runs against them unchanged, without these features:
     */
    LEGACY(List.of(
            "no lease fencing token: a worker whose lease expired can still write to the job",
            "no cancellation flag from heartbeat: cancellation is read through jobs:getJob before each write,"
                    + " not atomically (the legacy complete/heartbeat would overwrite it)",
            "no release: shutdown gives in-flight jobs back through queue:retryOrFail, which spends an attempt",
            "no server-side worker secret: the queue functions are public",
            "expired leases are not reclaimed (queue:reclaimExpired is not scheduled)",
            "no non-retryable failure: bad configuration or a missing repository is retried until attempts run out",
            "no minimum retry delay (rate limits are retried on the normal backoff)",
            "no enqueue or listing from the worker: jobs come from the web app"));

    private final List<String> missingFeatures;

    QueueMode(List<String> missingFeatures) {
        this.missingFeatures = missingFeatures;
    }

    /** What this mode lacks compared with {@link #HARDENED}; empty for hardened. */
    public List<String> missingFeatures() {
        return missingFeatures;
    }
}
