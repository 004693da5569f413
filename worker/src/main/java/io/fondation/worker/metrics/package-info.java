/**
 * Meters of a worker process beyond the worker's own ({@code io.fondation.engine.runtime.WorkerMetrics}): the
 * JVM, process and file-descriptor binders and the queue depth, sampled at a low rate.
 */
package io.fondation.worker.metrics;
