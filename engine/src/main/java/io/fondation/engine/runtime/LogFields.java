package io.fondation.engine.runtime;

/**
 * The MDC keys the worker's log lines carry. With {@code LOG_FORMAT=json} each becomes a field of
 * the same name on every line logged while it is set; the text format shows the job id.
 *
 * <pre>{@code
 * try (var job = MDC.putCloseable(LogFields.JOB_ID, claimed.id());
 *         var attempt = MDC.putCloseable(LogFields.ATTEMPT, String.valueOf(claimed.attempt()))) {
 *     ...
 * }
 * }</pre>
 *
 * MDC values are thread-local: set them on the thread that runs the job (and on the heartbeat
 * thread, if its lines should carry them too).
 */
public final class LogFields {

    /** The worker's id ({@code WORKER_ID}); the same on every line of one process. */
    public static final String WORKER_ID = "workerId";

    /** The id of the job a line is about. */
    public static final String JOB_ID = "jobId";

    /** The job's attempt number, 1 for the first run; written as a JSON number. */
    public static final String ATTEMPT = "attempt";

    private LogFields() {}
}
