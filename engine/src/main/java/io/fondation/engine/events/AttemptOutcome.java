package io.fondation.engine.events;

import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import java.time.Instant;
import java.util.Objects;

/**
 * How one attempt at a job ended: the one value that logs, metrics and listeners all consume. Each case says
 * what was written to the queue and what will happen to the job next.
 */
public sealed interface AttemptOutcome {

    /** A short, stable name for metrics tags and logs ({@code completed}, {@code retry_scheduled} ...). */
    String name();

    /** The job completed; its documents are stored. */
    record Completed(JobResult result) implements AttemptOutcome {
        public Completed {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String name() {
            return "completed";
        }
    }

    /**
     * The attempt failed with a job fault worth another try: the job is {@code pending} again, due at
     * {@code nextRunAt} (the queue's own answer).
     *
     * @param attempts attempts spent, this one included
     */
    record RetryScheduled(JobFailure failure, Instant nextRunAt, int attempts, int maxAttempts)
            implements AttemptOutcome {
        public RetryScheduled {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(nextRunAt, "nextRunAt");
        }

        @Override
        public String name() {
            return "retry_scheduled";
        }
    }

    /** The job failed for good with a job fault not worth retrying (a missing repository or branch ...). */
    record Failed(JobFailure failure, int attempts) implements AttemptOutcome {
        public Failed {
            Objects.requireNonNull(failure, "failure");
        }

        @Override
        public String name() {
            return "failed";
        }
    }

    /** The attempt failed and the job's attempts ran out: it is {@code dead}, never retried. */
    record Dead(JobFailure failure, int attempts) implements AttemptOutcome {
        public Dead {
            Objects.requireNonNull(failure, "failure");
        }

        @Override
        public String name() {
            return "dead";
        }
    }

    /**
     * The worker gave the job back: it is {@code pending} again, for this or another worker; normally without
     * spending an attempt and due at once.
     *
     * @param reason why
     * @param fault the worker fault, when {@code reason} is {@link ReleaseReason#WORKER_FAULT}, else {@code null}
     * @param accepted false when the queue no longer had the job as ours (nothing was changed)
     * @param spentAttempt true when the queue has no real release and giving the job back spent an attempt after all
     *     ({@link io.fondation.shared.JobQueue#releaseSpendsAttempt()}: the existing Convex functions)
     */
    record Released(ReleaseReason reason, JobFailure fault, boolean accepted, boolean spentAttempt)
            implements AttemptOutcome {
        public Released {
            Objects.requireNonNull(reason, "reason");
        }

        /** A release that spent no attempt. */
        public Released(ReleaseReason reason, JobFailure fault, boolean accepted) {
            this(reason, fault, accepted, false);
        }

        @Override
        public String name() {
            return "released";
        }
    }

    /** Cancellation was requested: the job stays {@code canceled}; nothing more was written. */
    record Canceled() implements AttemptOutcome {
        @Override
        public String name() {
            return "canceled";
        }
    }

    /**
     * The lease was lost (it expired and the job may belong to another worker now): nothing more was written.
     *
     * @param during what the attempt was doing when it learned it
     */
    record LeaseLost(String during) implements AttemptOutcome {
        @Override
        public String name() {
            return "lease_lost";
        }
    }

    /**
     * The queue stayed unreachable for the final write, so nothing could be recorded; the lease will expire and
     * the job be claimed again (that claim counts the attempt).
     *
     * @param write the write that could not be made ({@code complete}, {@code retryOrFail}, {@code release})
     * @param error the last error
     */
    record Abandoned(String write, String error) implements AttemptOutcome {
        @Override
        public String name() {
            return "abandoned";
        }
    }

    /** Why a job was given back. */
    enum ReleaseReason {
        /** The worker is shutting down. */
        SHUTDOWN("the worker is shutting down"),
        /** The fault is the worker's (analyzer missing, workspace full, LLM credential rejected). */
        WORKER_FAULT("the fault is this worker's, not the job's"),
        /** No heartbeat got through before the lease deadline: stopped before another worker could get it. */
        LEASE_DEADLINE("no heartbeat got through before the lease deadline"),
        /**
         * The LLM API refused the analyzer with a rate limit or an overload: the queue paused the credential for the
         * fleet and took the job back without spending an attempt (issue 22).
         */
        RATE_LIMITED("the LLM API is rate limited or overloaded; the fleet pauses that credential");

        private final String text;

        ReleaseReason(String text) {
            this.text = text;
        }

        /** A human description. */
        public String text() {
            return text;
        }
    }
}
