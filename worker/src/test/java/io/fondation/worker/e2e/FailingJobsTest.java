package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.shared.CloneSource;
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

            await().atMost(WAIT).until(() -> fixture.job(id).attempts() == 1);
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
            await().atMost(WAIT).until(() -> fixture.job(id).attempts() == 2);
            JobSnapshot second = fixture.job(id);
            assertThat(second.status()).isEqualTo(JobStatus.PENDING);
            assertThat(Duration.between(fixture.clock.instant(), second.runAt()))
                    .isGreaterThan(Duration.ofSeconds(9)); // 5 s·2^(2-1) = 10 s plus jitter

            fixture.clock.set(second.runAt().plusMillis(1));
            JobSnapshot dead = awaitStatus(fixture, id, JobStatus.DEAD);
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.lastError()).contains("the model refused");
            assertThat(fixture.listener.eventsOf(id))
                    .filteredOn(e -> e.startsWith("failed"))
                    .containsExactly(
                            "failed ANALYZER_FAILED Retrying",
                            "failed ANALYZER_FAILED Retrying",
                            "failed ANALYZER_FAILED GaveUp");
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.workspaceCount() == 0);
        }
    }

    @Test
    void aFailedRunStoresNoDocumentsAndRecordsHowFarItCame() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            String id = fixture.submit(fixture.repository("sample"), null, "partial");

            await().atMost(WAIT).until(() -> fixture.job(id).attempts() == 1);

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
            assertThat(fixture.listener.eventsOf(id)).contains("failed INVALID_INPUT GaveUp");
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
    void aMissingAnalyzerIsAConfigurationFailureAndTheWorkerGoesOn() throws IOException {
        Path missing = temp.resolve("bin/not-installed-analyzer");
        try (WorkerFixture fixture = new WorkerFixture(
                        temp,
                        Map.of("ANALYZER_COMMAND", "[\"" + missing + "\", \"{repo}\", \"{outputDir}\", \"{prompt}\"]"))
                .start()) {
            String id = fixture.submit(fixture.repository("sample"), null, "");

            JobSnapshot job = awaitStatus(fixture, id, JobStatus.FAILED);

            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.lastError()).contains(missing.toString()).contains("could not be started");
            assertThat(fixture.listener.eventsOf(id)).contains("failed CONFIGURATION GaveUp");
            assertThat(fixture.runtime.worker().health().status().wireName()).isEqualTo("healthy");

            // The operator installs the analyzer; the same worker carries on.
            Files.copy(fixture.script, missing);
            aGoodJobStillCompletes(fixture);
        }
    }

    @Test
    void aNonExecutableAnalyzerIsAConfigurationFailureAndTheWorkerGoesOn() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Files.setPosixFilePermissions(fixture.script, PosixFilePermissions.fromString("rw-r--r--"));
            String id = fixture.submit(fixture.repository("sample"), null, "");

            JobSnapshot job = awaitStatus(fixture, id, JobStatus.FAILED);

            assertThat(job.lastError()).contains(fixture.script.toString());
            assertThat(fixture.listener.eventsOf(id)).contains("failed CONFIGURATION GaveUp");

            Files.setPosixFilePermissions(fixture.script, PosixFilePermissions.fromString("rwxr-xr-x"));
            aGoodJobStillCompletes(fixture);
        }
    }
}
