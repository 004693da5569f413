package io.fondation.convexqueue;

import java.util.ArrayList;
import java.util.List;

/** Which Fondation queue functions a deployment has, detected by {@link ConvexJobQueue#connect}. */
public enum QueueMode {

    /** The hardened functions ({@code queue:capabilities} answers): every feature of the JobQueue SPI. */
    HARDENED(List.of(), List.of(), List.of()),

    /**
     * Only the functions of the existing deployment ({@code queue:claimOne}, {@code queue:heartbeat},
     * ...). The worker runs against them unchanged, without the features {@link #missingFeatures(boolean)} lists.
     */
    LEGACY(
            List.of(
                    "no lease fencing token: a worker whose lease expired can still write to the job",
                    "no cancellation flag from heartbeat: cancellation is read through jobs:getJob before each write,"
                            + " not atomically (the legacy complete/heartbeat would overwrite it)",
                    "no server-side worker secret: the queue functions are public",
                    "no non-retryable failure: bad configuration or a missing repository is retried until attempts"
                            + " run out",
                    "no minimum retry delay (rate limits are retried on the normal backoff)",
                    "no enqueue or listing from the worker: jobs come from the web app",
                    "the two finishing writes are not one: docs:upsertFromJob (which deletes the repository's previous"
                            + " course) then queue:complete, so the course is empty for those milliseconds, and a worker"
                            + " that dies between them leaves it empty until the job is claimed again (that claim"
                            + " completes it with the stored documents)",
                    "no checkpoints (the existing functions have no table for them): a retried job reruns its"
                            + " analysis from the start, every step and every LLM request",
                    "no fair claims, LLM pauses or budgets (issue 22): claims go oldest-due-first whoever queued the"
                            + " job, a rate limit spends the job's attempt with a per-job backoff, and a budget caps one"
                            + " attempt only"),
            List.of(
                    "no release: a job given back (shutdown, a fault of this worker) goes through"
                            + " queue:retryOrFail, which spends an attempt, waits out the backoff and makes the job dead"
                            + " on its last attempt",
                    "expired leases are not reclaimed (queue:reclaimExpired is internal and not scheduled; set"
                            + " CONVEX_DEPLOY_KEY to let the worker run it): a crashed worker's job stays claimed for"
                            + " good"),
            List.of(
                    "no release: a job given back (shutdown, a fault of this worker) goes through"
                            + " queue:reclaimExpired, which spends an attempt (due again at once, never dead)",
                    "expired leases are reclaimed by the workers (queue:reclaimExpired with CONVEX_DEPLOY_KEY, every"
                            + " quarter lease, at most a minute apart); the function spends an attempt on each job it"
                            + " puts back (lastError 'Lease expired - worker likely crashed') but never makes one dead,"
                            + " so a job that kills its worker every time is retried without end"));

    private final List<String> missing;
    private final List<String> missingWithoutInternalFunctions;
    private final List<String> limitsWithInternalFunctions;

    QueueMode(List<String> missing, List<String> withoutInternal, List<String> withInternal) {
        this.missing = missing;
        this.missingWithoutInternalFunctions = withoutInternal;
        this.limitsWithInternalFunctions = withInternal;
    }

    /** What this mode lacks compared with {@link #HARDENED} when the worker has no deploy key; empty for hardened. */
    public List<String> missingFeatures() {
        return missingFeatures(false);
    }

    /**
     * What this mode lacks compared with {@link #HARDENED}; empty for hardened.
     *
     * @param internalFunctions whether the worker may call internal functions ({@code CONVEX_DEPLOY_KEY} set and
     *     accepted for {@code queue:reclaimExpired}): then it reclaims expired leases and releases jobs without
     *     spending an attempt
     */
    public List<String> missingFeatures(boolean internalFunctions) {
        List<String> all = new ArrayList<>(missing);
        all.addAll(internalFunctions ? limitsWithInternalFunctions : missingWithoutInternalFunctions);
        return List.copyOf(all);
    }
}
