package io.fondation.shared.contract;

import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link JobSnapshot} that read as sentences:
 * {@code assertThatJob(job).hasStatus(FAILED).hasAttempts(1).reachedStep(4).isNotLeased()}.
 */
public final class JobSnapshotAssert extends AbstractAssert<JobSnapshotAssert, JobSnapshot> {

    private JobSnapshotAssert(JobSnapshot actual) {
        super(actual, JobSnapshotAssert.class);
    }

    /** Starts an assertion on {@code job}. */
    public static JobSnapshotAssert assertThatJob(JobSnapshot job) {
        return new JobSnapshotAssert(job);
    }

    public JobSnapshotAssert hasStatus(JobStatus expected) {
        isNotNull();
        if (actual.status() != expected) {
            failWithMessage(
                    "expected job %s to be %s but it is %s (last error: %s)",
                    actual.id(), expected.wireName(), actual.status().wireName(), actual.lastError());
        }
        return this;
    }

    /** Attempts spent (or, for a completed job, used). */
    public JobSnapshotAssert hasAttempts(int expected) {
        isNotNull();
        if (actual.attempts() != expected) {
            failWithMessage(
                    "expected job %s to have %d attempts but it has %d", actual.id(), expected, actual.attempts());
        }
        return this;
    }

    public JobSnapshotAssert reachedStep(int step) {
        isNotNull();
        if (actual.progress() == null || actual.progress().step() != step) {
            failWithMessage(
                    "expected job %s to show step %d but its progress is %s", actual.id(), step, actual.progress());
        }
        return this;
    }

    public JobSnapshotAssert showsProgress(String message) {
        isNotNull();
        if (actual.progress() == null || !actual.progress().message().equals(message)) {
            failWithMessage(
                    "expected job %s to show progress <%s> but it shows %s", actual.id(), message, actual.progress());
        }
        return this;
    }

    public JobSnapshotAssert hasLastErrorContaining(String text) {
        isNotNull();
        if (actual.lastError() == null || !actual.lastError().contains(text)) {
            failWithMessage(
                    "expected job %s's last error to contain <%s> but it is <%s>",
                    actual.id(), text, actual.lastError());
        }
        return this;
    }

    public JobSnapshotAssert hasNoLastError() {
        isNotNull();
        if (actual.lastError() != null) {
            failWithMessage("expected job %s to have no error but it has <%s>", actual.id(), actual.lastError());
        }
        return this;
    }

    /** No worker holds it. */
    public JobSnapshotAssert isNotLeased() {
        isNotNull();
        if (actual.lockedBy() != null) {
            failWithMessage("expected job %s to be held by no worker but %s holds it", actual.id(), actual.lockedBy());
        }
        return this;
    }

    public JobSnapshotAssert isLeasedBy(String workerId) {
        isNotNull();
        if (!workerId.equals(actual.lockedBy())) {
            failWithMessage(
                    "expected job %s to be held by %s but it is held by %s", actual.id(), workerId, actual.lockedBy());
        }
        return this;
    }
}
