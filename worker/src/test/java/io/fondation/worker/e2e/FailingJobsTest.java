package io.fondation.worker.e2e;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures end up on the job, classified, and the worker keeps taking jobs. */
class FailingJobsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private static JobSnapshot awaitStatus(WorkerFixture fixture, String id, JobStatus status) {
        await().atMost(WAIT).until(() -> fixture.job(id).status() == status);
        return fixture.job(id);
    }

    private static void aGoodJobStillCompletes(WorkerFixture fixture) {
        String good = fixture.submit(fixture.repository("good-" + System.nanoTime()), null, "");
        awaitStatus(fixture, good, JobStatus.COMPLETED);
        assertThat(fixture.queue().documents(good)).hasSize(10);
    }

    @Test
    void aFailingAnalyzerIsRetriedWithBackoffThenDead() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Path repository = fixture.repository("sample");
            String id =
                    fixture.submit(JobSpec.of(CloneSource.ofUrl(repository.toString(), null), "fail the model refused")
                            .withMaxAttempts(3));

            // why: attempts counts the attempts started; the first one ended when the job is pending again
            await().atMost(WAIT).until(() -> endedAttempt(fixture.job(id), 1));
            JobSnapshot first = fixture.job(id);
            assertThat(first.status()).isEqualTo(JobStatus.PENDING);
            assertThat(first.runAt()).isAfter(fixture.clock.instant());
            assertThat(first.lastError()).contains("the model refused");
            assertThat(first.lockedBy()).isNull();

            // The worker does not touch the job before its backoff ends ...
            fixture.clock.advance(Duration.ofMillis(100));
            assertThat(fixture.job(id).attempts()).isEqualTo(1);
            // ... and takes it again once the clock passes it.
            fixture.clock.set(first.runAt().plusMillis(1));
            await().atMost(WAIT).until(() -> endedAttempt(fixture.job(id), 2));
            JobSnapshot second = fixture.job(id);
            assertThat(second.status()).isEqualTo(JobStatus.PENDING);
            assertThat(Duration.between(fixture.clock.instant(), second.runAt()))
                    .isGreaterThan(Duration.ofSeconds(9)); // 5 s·2^(2-1) = 10 s plus jitter

            fixture.clock.set(second.runAt().plusMillis(1));
            JobSnapshot dead = awaitStatus(fixture, id, JobStatus.DEAD);
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.lastError()).contains("the model refused");
            await().atMost(WAIT).until(() -> fixture.listener.outcomesOf(id).size() == 3);
            assertThat(fixture.listener.outcomesOf(id))
                    .extracting(AttemptOutcome::name)
                    .containsExactly("retry_scheduled", "retry_scheduled", "dead");
            AttemptOutcome.RetryScheduled firstRetry = (AttemptOutcome.RetryScheduled)
                    fixture.listener.outcomesOf(id).get(0);
            assertThat(firstRetry.nextRunAt())
                    .as("the queue's own next run time")
                    .isEqualTo(first.runAt());
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.workspaceCount() == 0);
        }
    }

    @Test
    void aFailedRunStoresNoDocumentsAndRecordsHowFarItCame() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            String id = fixture.submit(fixture.repository("sample"), null, "partial");

            await().atMost(WAIT).until(() -> endedAttempt(fixture.job(id), 1));

            JobSnapshot job = fixture.job(id);
            assertThat(job.status()).isEqualTo(JobStatus.PENDING);
            assertThat(job.lastError()).contains("chapter generation crashed");
            assertThat(job.progress().step())
                    .as("the failed attempt reached step 4")
                    .isEqualTo(4);
            assertThat(fixture.queue().documents(id)).isEmpty();
        }
    }

    @Test
    void aRepositoryThatDoesNotExistFailsTheJobAtOnceAndTheWorkerGoesOn() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            String missing = temp.resolve("no-such-repo").toString();
            String id = fixture.submit(Path.of(missing), null, "");

            JobSnapshot job = awaitStatus(fixture, id, JobStatus.FAILED);

            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.lastError()).isEqualTo("repository path '" + missing + "' does not exist");
            assertThat(fixture.listener.lastOutcomeOf(id)).get().isInstanceOf(AttemptOutcome.Failed.class);
            aGoodJobStillCompletes(fixture);
        }
    }

    @Test
    void aBranchThatDoesNotExistFailsTheJobAtOnceAndTheWorkerGoesOn() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Path repository = fixture.repository("sample");
            String id = fixture.submit(repository, "release-42", "");

            JobSnapshot job = awaitStatus(fixture, id, JobStatus.FAILED);

            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.lastError())
                    .isEqualTo("branch 'release-42' not found in " + repository + " (branches: feature, trunk)");
            aGoodJobStillCompletes(fixture);
        }
    }

    @Test
    void aMissingAnalyzerStopsTheStartAndNoJobIsTouched() {
        Path missing = temp.resolve("bin/not-installed-analyzer");
        WorkerFixture fixture = new WorkerFixture(
                temp, Map.of("ANALYZER_COMMAND", "[\"" + missing + "\", \"{repo}\", \"{outputDir}\", \"{prompt}\"]"));
        try (fixture) {
            String id = fixture.submit(fixture.repository("sample"), null, "");

            assertThatThrownBy(fixture::start)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("ANALYZER_COMMAND: ")
                    .hasMessageContaining(missing.toString());

            assertThatJob(fixture.job(id))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .isNotLeased();
            assertThat(fixture.listener.all()).isEmpty();
        }
    }

    @Test
    void anAnalyzerThatBreaksAfterTheStartIsAWorkerFaultThatSpendsNoAttemptAndHealsByItself() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Files.setPosixFilePermissions(fixture.script, PosixFilePermissions.fromString("rw-r--r--"));
            String id = fixture.submit(fixture.repository("sample"), null, "");

            AttemptOutcome.Released released = fixture.listener.awaitOutcome(id, AttemptOutcome.Released.class, WAIT);

            assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.WORKER_FAULT);
            assertThat(released.fault().kind()).isEqualTo(FailureKind.CONFIGURATION);
            assertThat(released.fault().message()).contains(fixture.script.toString());
            assertThatJob(fixture.job(id))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .isNotLeased();
            WorkerHealth health = fixture.runtime.worker().health();
            assertThat(health.ready()).isFalse();
            assertThat(health.notReadyBecause()).anyMatch(reason -> reason.contains("CONFIGURATION"));
            assertThat(fixture.listener.claimsOf(id))
                    .as("not claimed again while the fault is open")
                    .hasSize(1);

            // The operator fixes the analyzer; the worker notices at its next check and takes the job again.
            Files.setPosixFilePermissions(fixture.script, PosixFilePermissions.fromString("rwxr-xr-x"));
            fixture.clock.advance(Duration.ofSeconds(6));
            JobSnapshot done = awaitStatus(fixture, id, JobStatus.COMPLETED);
            assertThatJob(done).hasAttempts(1);
            await().atMost(WAIT).until(fixture.listener::recovered);
            assertThat(fixture.runtime.worker().health().ready()).isTrue();
        }
    }

    /** Whether attempt {@code attempt} ran and failed: the job waits for its retry. */
    private static boolean endedAttempt(JobSnapshot job, int attempt) {
        return job.attempts() == attempt && job.status() == JobStatus.PENDING && job.lastError() != null;
    }
}
