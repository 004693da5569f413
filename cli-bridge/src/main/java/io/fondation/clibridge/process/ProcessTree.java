package io.fondation.clibridge.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A child process and every descendant ever seen under it.
 *
 * <p>why: a descendant whose parent dies is re-parented and no longer shows up in
 * {@link ProcessHandle#descendants()} of the root. Snapshotting the tree periodically while it
 * runs, and once more right before signalling, keeps those orphans known so they are killed too.
 * {@link ProcessHandle} compares start times as well as pids, so a recycled pid is never signalled.
 */
public final class ProcessTree {

    private static final long POLL_MILLIS = 25;
    /** How long SIGKILL is resent to members that keep appearing. */
    private static final Duration KILL_RESCAN_TIME = Duration.ofSeconds(5);

    private final ProcessHandle root;
    private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();

    public ProcessTree(ProcessHandle root) {
        this.root = root;
    }

    /** Records the current descendants of the root and of every known, still-alive member. */
    public void snapshot() {
        try {
            root.descendants().forEach(known::add);
            for (ProcessHandle member : List.copyOf(known)) {
                if (isRunning(member)) {
                    member.descendants().forEach(known::add);
                } else {
                    known.remove(member);
                }
            }
        } catch (RuntimeException e) {
            // why: /proc can change under our feet; a failed scan is retried at the next tick.
        }
    }

    /** The known descendants (not the root) that are still alive. */
    public List<ProcessHandle> aliveDescendants() {
        return members(false);
    }

    /**
     * Terminates the whole tree: SIGTERM to every member, then SIGKILL to the survivors once
     * {@code grace} has passed. Members that appear while terminating are signalled too.
     *
     * @param includeRoot whether the root is signalled as well (false after it exited by itself)
     * @return whether nothing of the tree is alive afterwards
     */
    public boolean terminate(Duration grace, boolean includeRoot) throws InterruptedException {
        Set<ProcessHandle> signalled = new HashSet<>();
        if (signalUntilGone(includeRoot, grace, member -> {
            if (signalled.add(member)) {
                member.destroy();
            }
        })) {
            return true;
        }
        // why: a process can fork between our scan and its death; rescan a few times.
        return signalUntilGone(includeRoot, KILL_RESCAN_TIME, ProcessHandle::destroyForcibly);
    }

    /**
     * Rescans the tree every {@value #POLL_MILLIS} ms and signals its live members until none is
     * left or {@code within} has passed.
     *
     * @return whether none is left
     */
    private boolean signalUntilGone(boolean includeRoot, Duration within, Consumer<ProcessHandle> signal)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            snapshot();
            List<ProcessHandle> alive = members(includeRoot);
            if (alive.isEmpty()) {
                return true;
            }
            alive.forEach(signal);
            if (System.nanoTime() - deadline >= 0) {
                return members(includeRoot).isEmpty();
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    /** The known descendants still alive, preceded by the root if it is alive and included. */
    private List<ProcessHandle> members(boolean includeRoot) {
        List<ProcessHandle> alive = new ArrayList<>();
        if (includeRoot && root.isAlive()) {
            alive.add(root);
        }
        for (ProcessHandle member : known) {
            if (isRunning(member)) {
                alive.add(member);
            }
        }
        return alive;
    }

    /**
     * Whether a process still runs: alive and not a zombie.
     *
     * <p>why: a dead member re-parented to a PID 1 that does not reap (a container's init, a JVM run as
     * PID 1) stays a zombie, which {@link ProcessHandle#isAlive()} calls alive; it can neither run nor be
     * killed, and waiting for it would cost every run the whole kill grace.
     */
    public static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux) or the process just went: trust isAlive.
            return process.isAlive();
        }
    }
}
