package io.fondation.clibridge;

import io.fondation.clibridge.process.DaemonThreads;
import io.fondation.clibridge.resume.CheckpointScanner;
import io.fondation.clibridge.resume.OutputFile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link CheckpointScanner} over an analyzer's output directory while the analyzer runs, and once more when it
 * has stopped, handing each complete and valid file to a sink. One shared daemon thread serves every analysis: a scan
 * stats a few dozen files and reads only those that became complete.
 */
final class CheckpointWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWatcher.class);
    private static final ScheduledExecutorService SCANNER =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("analysis-checkpoint-watcher"));

    private final CheckpointScanner scanner;
    private final IntSupplier stepUnderWay;
    private final Consumer<OutputFile> sink;
    private ScheduledFuture<?> task;
    private boolean finished;

    private CheckpointWatcher(CheckpointScanner scanner, IntSupplier stepUnderWay, Consumer<OutputFile> sink) {
        this.scanner = scanner;
        this.stepUnderWay = stepUnderWay;
        this.sink = sink;
    }

    /**
     * Starts watching; the first scan is immediate.
     *
     * @param running whether the analyzer still runs; scanning stops with the first scan that sees it stopped
     * @param stepUnderWay the step the analyzer reports (0 when unknown)
     */
    static CheckpointWatcher start(
            CheckpointScanner scanner,
            Duration interval,
            BooleanSupplier running,
            IntSupplier stepUnderWay,
            Consumer<OutputFile> sink) {
        CheckpointWatcher watcher = new CheckpointWatcher(scanner, stepUnderWay, sink);
        synchronized (watcher) {
            watcher.task = SCANNER.scheduleWithFixedDelay(
                    DaemonThreads.withCallersLogContext(() -> watcher.scan(running)),
                    0,
                    interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return watcher;
    }

    /** The analyzer stopped: scans once more, taking every file as it is now, and stops watching. */
    synchronized void finish() {
        if (task != null) {
            task.cancel(false);
        }
        if (!finished) {
            finished = true;
            report(true);
        }
    }

    private synchronized void scan(BooleanSupplier running) {
        if (finished) {
            return;
        }
        try {
            // why: files seen while the analyzer still ran are judged by their step or by settling, never as final
            report(false);
            if (!running.getAsBoolean()) {
                task.cancel(false);
            }
        } catch (RuntimeException e) {
            // why: an exception would silently end the periodic task; the final scan still runs at exit
            LOG.warn("checkpoint watcher failed", e);
        }
    }

    private void report(boolean stopped) {
        List<OutputFile> files = scanner.scan(stepUnderWay.getAsInt(), stopped);
        files.forEach(sink);
        if (stopped && !scanner.invalid().isEmpty()) {
            LOG.info("output files not checkpointed: {}", scanner.invalid());
        }
    }
}
