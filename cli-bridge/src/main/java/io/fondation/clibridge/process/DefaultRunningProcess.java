package io.fondation.clibridge.process;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started child: two drainer threads and one watchdog thread that waits for exit, a cancel or
 * the timeout, keeps the process tree snapshot fresh, and terminates the tree when needed.
 */
final class DefaultRunningProcess implements RunningProcess {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRunningProcess.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** How long to wait for the pipes to reach end of file once the tree is gone. */
    private static final long DRAIN_WAIT_MILLIS = 5_000;

    private enum Event {
        EXITED,
        CANCEL
    }

    private final Process process;
    private final ProcessSpec spec;
    private final ProcessTree tree;
    private final long startNanos;
    private final TailBuffer stdoutTail;
    private final TailBuffer stderrTail;
    private final Thread stdoutThread;
    private final Thread stderrThread;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final CompletableFuture<ProcessOutcome> outcome = new CompletableFuture<>();
    private final Duration snapshotInterval;

    DefaultRunningProcess(
            Process process,
            ProcessSpec spec,
            OutputListener listener,
            int tailBytes,
            int maxLineBytes,
            Duration snapshotInterval) {
        this.process = process;
        this.spec = spec;
        this.snapshotInterval = snapshotInterval;
        this.startNanos = System.nanoTime();
        this.tree = new ProcessTree(process.toHandle());
        this.stdoutTail = new TailBuffer(tailBytes);
        this.stderrTail = new TailBuffer(tailBytes);
        StreamDrainer.LineSink sink = new SerialisedSink(listener);
        int id = COUNTER.incrementAndGet();
        long pid = process.pid();
        this.stdoutThread = daemon(
                "proc-" + id + "-" + pid + "-stdout",
                new StreamDrainer(process.getInputStream(), OutputChannel.STDOUT, maxLineBytes, stdoutTail, sink));
        this.stderrThread = daemon(
                "proc-" + id + "-" + pid + "-stderr",
                new StreamDrainer(process.getErrorStream(), OutputChannel.STDERR, maxLineBytes, stderrTail, sink));
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // stdin is /dev/null already; nothing to close
        }
        process.onExit().thenRun(() -> events.offer(Event.EXITED));
        stdoutThread.start();
        stderrThread.start();
        daemon("proc-" + id + "-" + pid + "-watchdog", this::watch).start();
    }

    private static Thread daemon(String name, Runnable body) {
        // why: what these threads log (progress, kills) is about the caller's job: they carry its log fields
        Thread thread = new Thread(DaemonThreads.withCallersLogContext(body), name);
        // why: a drainer blocked on a pipe held open by an escaped grandchild must not keep the JVM alive.
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void cancel() {
        if (cancelRequested.compareAndSet(false, true)) {
            events.offer(Event.CANCEL);
        }
    }

    @Override
    public ProcessOutcome await() throws InterruptedException {
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("process watchdog failed", e.getCause());
        }
    }

    private void watch() {
        try {
            outcome.complete(supervise());
        } catch (Throwable e) {
            LOG.error("watchdog of pid {} failed", process.pid(), e);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            outcome.completeExceptionally(e);
        }
    }

    private ProcessOutcome supervise() throws InterruptedException {
        long deadline = startNanos + spec.timeout().toNanos();
        boolean timedOut = false;
        boolean canceled = false;
        while (process.isAlive()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                timedOut = true;
                break;
            }
            Event event = events.poll(Math.min(remaining, snapshotInterval.toNanos()), TimeUnit.NANOSECONDS);
            if (event == Event.CANCEL) {
                canceled = true;
                break;
            }
            tree.snapshot();
        }
        if ((canceled || timedOut) && process.isAlive()) {
            LOG.info("terminating process tree of pid {} ({})", process.pid(), timedOut ? "timeout" : "cancel");
            tree.terminate(spec.killGrace(), true);
        } else {
            // it exited by itself before the deadline or the cancel took effect
            timedOut = false;
            canceled = false;
        }
        int raw = process.waitFor();
        long durationNanos = System.nanoTime() - startNanos;
        // why: the analyzer may leave background children behind even after a normal exit; they
        // would hold the pipes open and keep consuming resources.
        int leftovers = tree.aliveDescendants().size();
        if (leftovers > 0) {
            LOG.info("pid {} exited, terminating {} leftover descendants", process.pid(), leftovers);
            tree.terminate(spec.killGrace(), false);
        }
        joinDrainers();
        Integer signal = null;
        int exitCode = raw;
        // why: the JDK reports death by signal N as exit value 128+N, like a POSIX shell.
        if (raw > 128 && raw <= 128 + 64) {
            signal = raw - 128;
            exitCode = -1;
        }
        return new ProcessOutcome(
                exitCode,
                signal,
                Duration.ofNanos(durationNanos),
                timedOut,
                canceled,
                stdoutTail.text(),
                stderrTail.text());
    }

    private void joinDrainers() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_WAIT_MILLIS);
        for (Thread thread : new Thread[] {stdoutThread, stderrThread}) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            thread.join(Math.max(1, left));
            if (thread.isAlive()) {
                LOG.warn(
                        "{}: output pipe still open after exit (held by an escaped process?); giving up on it",
                        thread.getName());
            }
        }
    }

    /** Serialises listener calls from the two drainers and shields the drainers from listener errors. */
    private static final class SerialisedSink implements StreamDrainer.LineSink {
        private final OutputListener listener;
        private boolean warned;

        SerialisedSink(OutputListener listener) {
            this.listener = listener;
        }

        @Override
        public synchronized void line(OutputChannel channel, String line) {
            try {
                listener.onLine(channel, line);
            } catch (RuntimeException e) {
                if (!warned) {
                    warned = true;
                    LOG.warn("output listener failed; output keeps being drained", e);
                }
            }
        }
    }
}
