package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancellation, lease loss and shutdown stop the analyzer process at once and write only what they may. */
class StoppingJobsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    /** Submits a job whose analyzer blocks, and waits until the analyzer runs; returns its pid. */
    private static long startBlockingJob(WorkerFixture fixture, String[] idOut) throws IOException {
        Path pidFile = fixture.signals.resolve("analyzer-" + System.nanoTime() + ".pid");
        idOut[0] = fixture.submit(fixture.repository("sample-" + System.nanoTime()), null, "block " + pidFile);
        await().atMost(WAIT)
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long pid = TestAnalyzer.hostPid(pidFile);
        assertThat(ProcessHandle.of(pid))
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        return pid;
    }

    private static boolean dead(long pid) {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Test
    void progressReachesTheJobWhileTheAnalyzerRuns() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            String[] id = new String[1];
            startBlockingJob(fixture, id);

            await().atMost(WAIT).until(() -> {
                JobSnapshot job = fixture.job(id[0]);
                return job.status() == JobStatus.ANALYZING
                        && job.progress() != null
                        && job.progress().step() == 2;
            });
            assertThat(fixture.job(id[0]).progress())
                    .isEqualTo(new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants"));
            assertThat(fixture.job(id[0]).lockedBy()).isEqualTo(WorkerFixture.WORKER_ID);
        }
    }

    @Test
    void cancellationKillsTheAnalyzerAndLeavesTheJobCanceled() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            String[] id = new String[1];
            long pid = startBlockingJob(fixture, id);
            long started = System.nanoTime();

            assertThat(fixture.queue().cancel(id[0])).isTrue();

            await().atMost(WAIT).until(() -> dead(pid));
            System.out.println("e2e: cancel to analyzer dead: " + (System.nanoTime() - started) / 1_000_000 + " ms");
            fixture.listener.awaitOutcome(id[0], AttemptOutcome.Canceled.class, WAIT);
            JobSnapshot job = fixture.job(id[0]);
            assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
            assertThat(job.result()).isNull();
            assertThat(fixture.queue().documents(id[0])).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.workspaceCount() == 0);
            assertThat(fixture.runtime.worker().metrics().snapshot()).containsEntry("jobs_canceled_total", 1L);

            // The worker goes on with the next job.
            String next = fixture.submit(fixture.repository("next"), null, "");
            await().atMost(WAIT).until(() -> fixture.job(next).status() == JobStatus.COMPLETED);
        }
    }

    @Test
    void aWorkerThatLostItsLeaseStopsItsAnalyzerAndNeverWritesAgain() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start();
                SqliteJobQueue otherWorkersQueue = SqliteJobQueue.open(fixture.database, fixture.clock)) {
            String[] id = new String[1];
            long pid = startBlockingJob(fixture, id);

            // The first worker's lease runs out (as if it had been paused) and another worker takes the job.
            fixture.clock.advance(Duration.ofMillis(WorkerFixture.LEASE_MS + 1_000));
            Optional<ClaimedJob> taken = otherWorkersQueue.claimOne("other-worker", Duration.ofMinutes(10));
            assertThat(taken).map(ClaimedJob::id).contains(id[0]);

            await().atMost(WAIT).until(() -> dead(pid));
            // Either its watchdog saw the deadline pass, or a heartbeat found the job taken: both write nothing.
            AttemptOutcome ended = fixture.listener.awaitOutcome(id[0], AttemptOutcome.class, WAIT);
            assertThat(ended)
                    .isIn(
                            new AttemptOutcome.Released(AttemptOutcome.ReleaseReason.LEASE_DEADLINE, null, false),
                            new AttemptOutcome.LeaseLost("Étape 2/6: Analyse des relations entre composants"));
            await().atMost(WAIT).until(() -> fixture.runtime.worker().activeJobs() == 0);

            // The other worker owns the job; the first one wrote nothing over it.
            Progress mine = new Progress(3, 6, "other worker's progress");
            HeartbeatResult beat =
                    otherWorkersQueue.heartbeat(taken.get().lease(), JobStatus.ANALYZING, mine, Duration.ofMinutes(10));
            assertThat(beat.leaseHeld()).isTrue();
            JobSnapshot job = fixture.job(id[0]);
            assertThat(job.lockedBy()).isEqualTo("other-worker");
            assertThat(job.status()).isEqualTo(JobStatus.ANALYZING);
            assertThat(job.progress()).isEqualTo(mine);
            assertThat(fixture.listener.outcomesOf(id[0])).containsExactly(ended);
        }
    }

    @Test
    void aHeartbeatThatFindsTheJobTakenStopsTheAnalyzerWithoutWriting() throws IOException {
        try (WorkerFixture fixture = new WorkerFixture(temp).start();
                SqliteJobQueue otherWorkersQueue = SqliteJobQueue.open(fixture.database, fixture.clock)) {
            String[] id = new String[1];
            long pid = startBlockingJob(fixture, id);

            // Behind the worker's back, its claim is given up and the job claimed by someone else.
            assertThat(otherWorkersQueue.release(fixture.listener.claimOf(id[0]).lease()))
                    .isTrue();
            ClaimedJob taken = otherWorkersQueue
                    .claimOne("other-worker", Duration.ofMinutes(10))
                    .orElseThrow();

            await().atMost(WAIT).until(() -> dead(pid));
            fixture.listener.awaitOutcome(id[0], AttemptOutcome.LeaseLost.class, WAIT);
            assertThat(otherWorkersQueue
                            .heartbeat(taken.lease(), JobStatus.CLONING, null, Duration.ofMinutes(10))
                            .leaseHeld())
                    .isTrue();
            JobSnapshot job = fixture.job(id[0]);
            assertThat(job.lockedBy()).isEqualTo("other-worker");
            assertThat(job.status()).isEqualTo(JobStatus.CLONING);
            assertThat(job.attempts())
                    .as("the given-back attempt is not counted; the other worker's runs")
                    .isEqualTo(1);
            assertThat(fixture.runtime.worker().metrics().snapshot()).containsEntry("jobs_lease_lost_total", 1L);
        }
    }

    @Test
    void shutdownKillsTheAnalyzerAndReleasesTheJobWithoutSpendingAnAttempt() throws IOException {
        WorkerFixture fixture = new WorkerFixture(temp).start();
        String[] id = new String[1];
        long pid;
        try {
            pid = startBlockingJob(fixture, id);
            assertThat(fixture.job(id[0]).attempts()).as("attempt 1 runs").isEqualTo(1);
        } catch (RuntimeException | IOException | Error e) {
            fixture.close();
            throw e;
        }
        long started = System.nanoTime();

        fixture.runtime.worker().stop();

        System.out.println("e2e: shutdown with one running job: " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertThat(dead(pid)).isTrue();
        JobSnapshot job = fixture.job(id[0]);
        assertThat(job.status()).isEqualTo(JobStatus.PENDING);
        assertThat(job.attempts()).isZero();
        assertThat(job.lockedBy()).isNull();
        assertThat(job.runAt()).isBeforeOrEqualTo(fixture.clock.instant());
        assertThat(fixture.listener.lastOutcomeOf(id[0]))
                .contains(new AttemptOutcome.Released(AttemptOutcome.ReleaseReason.SHUTDOWN, null, true));
        assertThat(fixture.workspaceCount()).isZero();
        assertThat(fixture.runtime.worker().health().status().wireName()).isEqualTo("unhealthy");
        fixture.close();
    }
}
