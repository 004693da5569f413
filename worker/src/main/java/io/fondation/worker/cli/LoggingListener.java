package io.fondation.worker.cli;

import io.fondation.engine.events.WorkerListener;
import io.fondation.shared.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs analyzer progress for {@code run}, one line per step. Claims, completions, failures and
 * releases are logged by the worker itself.
 */
final class LoggingListener implements WorkerListener {

    private static final Logger LOG = LoggerFactory.getLogger("io.fondation.worker.progress");

    @Override
    public void onProgress(String jobId, Progress progress) {
        LOG.info("job {}: {}", jobId, JobFormatter.progress(progress));
    }
}
