/**
 * The worker's log output: the {@code LOG_FORMAT} switch between text and JSON lines, the MDC keys
 * the runtime sets ({@link io.fondation.engine.runtime.LogFields}), and the redaction every field of
 * every line goes through ({@link io.fondation.worker.logging.LogRedaction}).
 * {@link io.fondation.worker.logging.WorkerLogConfigurator} wires them when logback starts.
 */
package io.fondation.worker.logging;
