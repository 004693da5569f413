package io.fondation.shared;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The queue's depth at one instant ({@link JobQueue#depth}), the numbers an autoscaler scales on. Every backend counts
 * them the way its claims see the queue:
 *
 * @param pending jobs in {@link JobStatus#PENDING}, due or not
 * @param due jobs a claim could take at that instant: pending jobs whose {@code runAt} has come, and jobs whose lease
 *     expired (a claim takes them over); a backend that caps each user's running jobs counts a user's due jobs only up
 *     to the room its running jobs leave
 * @param running jobs held under a lease that has not expired: each takes a worker slot
 * @param paused LLM credentials whose claims are held back at that instant (a rate-limit or overload pause): not jobs;
 *     0 for a backend that keeps no pauses
 * @param capped the counts that reached the backend's limit: they mean "at least" (counting costs reads, and an
 *     autoscaler only needs to know "more than its largest fleet")
 */
public record DepthCounts(long pending, long due, long running, long paused, Set<Count> capped) {

    /** The four counts, to say which ones are capped. */
    public enum Count {
        PENDING,
        DUE,
        RUNNING,
        PAUSED
    }

    public DepthCounts {
        requireCount("pending", pending);
        requireCount("due", due);
        requireCount("running", running);
        requireCount("paused", paused);
        Objects.requireNonNull(capped, "capped");
        capped = capped.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capped));
    }

    /** Counts that are all exact. */
    public static DepthCounts exact(long pending, long due, long running, long paused) {
        return new DepthCounts(pending, due, running, paused, Set.of());
    }

    /**
     * The job slots the fleet should have: {@code due + running}. Not {@code pending}: it drops to zero once every job
     * is claimed (an autoscaler would stop busy workers) and counts jobs that are not due yet.
     */
    public long wanted() {
        return due + running;
    }

    /**
     * The workers wanted when each runs {@code slotsPerWorker} jobs at once (MAX_CONCURRENT_JOBS):
     * {@code ceil((due + running) / slotsPerWorker)}.
     *
     * @throws IllegalArgumentException when {@code slotsPerWorker} is not positive
     */
    public long workersWanted(int slotsPerWorker) {
        if (slotsPerWorker < 1) {
            throw new IllegalArgumentException("slotsPerWorker must be positive, was " + slotsPerWorker);
        }
        // why not Math.ceilDiv: Java 17
        return (wanted() + slotsPerWorker - 1) / slotsPerWorker;
    }

    /** Whether {@code count} reached the backend's limit (the real number is at least this one). */
    public boolean isCapped(Count count) {
        return capped.contains(count);
    }

    private static void requireCount(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
