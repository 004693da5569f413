package io.fondation.clibridge;

import io.fondation.clibridge.output.OutputProgress;
import io.fondation.clibridge.process.DaemonThreads;
import io.fondation.shared.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls an analyzer's output directory for {@link OutputProgress} while the analyzer runs, and once
 * more when it has stopped. One shared daemon thread serves every analysis: a scan looks at a few
 * directory entries, so it is cheap however many analyses run.
 */
final class OutputWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(OutputWatcher.class);
    private static final ScheduledExecutorService SCANNER =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("analysis-output-watcher"));

    private final Path outputDir;
    private final BooleanSupplier running;
    private final Consumer<Progress> sink;
    private ScheduledFuture<?> task;
    private int lastStep;

    private OutputWatcher(Path outputDir, BooleanSupplier running, Consumer<Progress> sink) {
        this.outputDir = outputDir;
        this.running = running;
        this.sink = sink;
    }

    /**
     * Starts watching; the first scan is immediate.
     *
     * @param running whether the analyzer still runs; the watcher stops after the first scan that sees it stopped
     * @param sink gets the progress whenever the step changes
     */
    static OutputWatcher start(Path outputDir, Duration interval, BooleanSupplier running, Consumer<Progress> sink) {
        OutputWatcher watcher = new OutputWatcher(outputDir, running, sink);
        synchronized (watcher) {
            watcher.task = SCANNER.scheduleWithFixedDelay(
                    DaemonThreads.withCallersLogContext(watcher::scan), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return watcher;
    }

    /** Scans once more now (the analyzer stopped) and stops watching. */
    synchronized void finish() {
        if (task != null) {
            task.cancel(false);
        }
        report();
    }

    private synchronized void scan() {
        try {
            boolean alive = running.getAsBoolean();
            report();
            if (!alive) {
                task.cancel(false);
            }
        } catch (RuntimeException e) {
            // why: an exception would silently end the periodic task; progress is best effort.
            LOG.warn("output watcher of {} failed", outputDir, e);
        }
    }

    private void report() {
        Progress progress = OutputProgress.of(outputDir);
        if (progress.step() != lastStep) {
            lastStep = progress.step();
            sink.accept(progress);
        }
    }
}
