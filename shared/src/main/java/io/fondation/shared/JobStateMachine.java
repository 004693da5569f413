package io.fondation.shared;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The legal status transitions of a job. Backends consult it before every write so that, for
 * example, {@code complete} can never overwrite {@code canceled}.
 *
 * <pre>
 * pending ──claim──▶ claimed ──▶ cloning ──▶ analyzing ──▶ gathering ──▶ completed
 *    ▲                  │   (any work phase may follow any other, e.g. running)
 *    └── retry/release/expired lease ◀┘      any non-terminal ──▶ canceled | failed | dead
 * </pre>
 */
public final class JobStateMachine {

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = new EnumMap<>(JobStatus.class);

    static {
        Set<JobStatus> fromLeased = EnumSet.of(
                JobStatus.CLONING,
                JobStatus.ANALYZING,
                JobStatus.GATHERING,
                JobStatus.RUNNING,
                JobStatus.COMPLETED,
                JobStatus.PENDING,
                JobStatus.FAILED,
                JobStatus.DEAD,
                JobStatus.CANCELED);
        ALLOWED.put(
                JobStatus.PENDING, EnumSet.of(JobStatus.CLAIMED, JobStatus.CANCELED, JobStatus.DEAD, JobStatus.FAILED));
        for (JobStatus status : JobStatus.values()) {
            if (status.isLeased()) {
                ALLOWED.put(status, EnumSet.copyOf(fromLeased));
            } else if (status.isTerminal()) {
                ALLOWED.put(status, EnumSet.noneOf(JobStatus.class));
            }
        }
    }

    private JobStateMachine() {}

    /** Whether a job may go from {@code from} to {@code to}. Staying in a work phase is allowed. */
    public static boolean canTransition(JobStatus from, JobStatus to) {
        return ALLOWED.get(from).contains(to);
    }

    /** @throws IllegalStateException naming both statuses when the transition is illegal */
    public static void requireTransition(JobStatus from, JobStatus to) {
        if (!canTransition(from, to)) {
            throw new IllegalStateException("a job cannot go from " + from.wireName() + " to " + to.wireName());
        }
    }
}
