package io.fondation.clibridge.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts child processes safely: argument lists only, stdin closed, the exact environment of the
 * {@link ProcessSpec}, stdout and stderr drained concurrently line by line with bounded memory,
 * and the timeout enforced on the whole process tree.
 */
public final class ProcessRunner {

    /** Bytes of each stream kept for error reports. */
    public static final int DEFAULT_TAIL_BYTES = 64 * 1024;
    /** Longest line passed to listeners before it is cut. */
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;
    /** How often the process tree is re-scanned while the child runs. */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofMillis(500);

    /**
     * The one thread that forks every child.
     *
     * <p>why: Linux sends a child's parent-death signal ({@code bwrap --die-with-parent},
     * {@code setpriv --pdeathsig}) when the THREAD that forked it ends, not the process. Forking from
     * one thread that lives as long as the JVM makes that signal mean "the worker died", whatever
     * thread asked for the start.
     */
    private static final ExecutorService SPAWNER =
            Executors.newSingleThreadExecutor(DaemonThreads.named("process-spawner"));

    private final int tailBytes;
    private final int maxLineBytes;
    private final Duration snapshotInterval;

    /** Defaults: 64 KiB tail per stream, lines cut at 64 KiB, tree re-scanned every 500 ms. */
    public ProcessRunner() {
        this(DEFAULT_TAIL_BYTES, DEFAULT_MAX_LINE_BYTES, DEFAULT_SNAPSHOT_INTERVAL);
    }

    /**
     * @param tailBytes bytes of each stream kept for error reports
     * @param maxLineBytes longest line passed to listeners; longer lines are cut with a marker
     * @param snapshotInterval how often the process tree is re-scanned while the child runs
     */
    public ProcessRunner(int tailBytes, int maxLineBytes, Duration snapshotInterval) {
        if (tailBytes < 1) {
            throw new IllegalArgumentException("tailBytes must be positive, was " + tailBytes);
        }
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least 16, was " + maxLineBytes);
        }
        if (snapshotInterval == null || snapshotInterval.isNegative() || snapshotInterval.isZero()) {
            throw new IllegalArgumentException("snapshotInterval must be positive, was " + snapshotInterval);
        }
        this.tailBytes = tailBytes;
        this.maxLineBytes = maxLineBytes;
        this.snapshotInterval = snapshotInterval;
    }

    /**
     * Starts the child described by {@code spec}; its output lines go to {@code listener}.
     *
     * @throws ProcessStartException when the executable or the working directory is missing or
     *     not usable; the message names it
     */
    public RunningProcess start(ProcessSpec spec, OutputListener listener) {
        checkWorkingDirectory(spec.workingDirectory());
        checkExecutable(spec.executable());
        ProcessBuilder builder = new ProcessBuilder(spec.command());
        builder.directory(spec.workingDirectory().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        // why: a child waiting for input on an inherited stdin would hang until its timeout.
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        try {
            process = spawn(builder);
        } catch (IOException e) {
            throw new ProcessStartException("cannot start '" + spec.executable() + "': " + e.getMessage(), e);
        }
        return new DefaultRunningProcess(
                process,
                spec,
                listener == null ? OutputListener.NONE : listener,
                tailBytes,
                maxLineBytes,
                snapshotInterval);
    }

    private static Process spawn(ProcessBuilder builder) throws IOException {
        Future<Process> started = SPAWNER.submit(builder::start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    // why: giving up here could leave a started child nobody supervises; a start is quick.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException("process start failed", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void checkWorkingDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ProcessStartException(
                    "working directory '" + directory + "' does not exist or is not a directory");
        }
    }

    private static void checkExecutable(String executable) {
        if (executable.indexOf('/') < 0) {
            // why: the JDK resolves a bare name on this JVM's PATH, not the child's; a miss surfaces
            // as an IOException from start(), turned into a ProcessStartException naming it.
            return;
        }
        Path path = Path.of(executable);
        if (!Files.exists(path)) {
            throw new ProcessStartException("executable '" + executable + "' does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new ProcessStartException("executable '" + executable + "' is a directory");
        }
        if (!Files.isExecutable(path)) {
            throw new ProcessStartException("executable '" + executable + "' is not executable");
        }
    }
}
