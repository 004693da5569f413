package io.fondation.engine.runtime;

import io.fondation.shared.ClaimedJob;
import org.slf4j.MDC;

/**
 * The log fields of one job on the current thread ({@code workerId}, {@code jobId}, {@code attempt}), so that a
 * log pipeline can filter one job. Closing it puts back what the thread had.
 */
final class LogContext implements AutoCloseable {

    static final String WORKER_ID = LogFields.WORKER_ID;
    static final String JOB_ID = LogFields.JOB_ID;
    static final String ATTEMPT = LogFields.ATTEMPT;

    private final String previousWorker;
    private final String previousJob;
    private final String previousAttempt;

    private LogContext(String workerId, ClaimedJob job) {
        previousWorker = MDC.get(WORKER_ID);
        previousJob = MDC.get(JOB_ID);
        previousAttempt = MDC.get(ATTEMPT);
        MDC.put(WORKER_ID, workerId);
        MDC.put(JOB_ID, job.id());
        MDC.put(ATTEMPT, Integer.toString(job.attempt()));
    }

    /** Sets the job's fields on this thread until {@link #close()}. */
    static LogContext of(String workerId, ClaimedJob job) {
        return new LogContext(workerId, job);
    }

    @Override
    public void close() {
        restore(WORKER_ID, previousWorker);
        restore(JOB_ID, previousJob);
        restore(ATTEMPT, previousAttempt);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
