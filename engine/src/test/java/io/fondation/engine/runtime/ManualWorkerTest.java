package io.fondation.engine.runtime;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.testing.ScriptedAnalyzer;
import io.fondation.engine.testing.ScriptedAnalyzer.Ending;
import io.fondation.engine.testing.ScriptedCloner;
import io.fondation.engine.testing.TempWorkspaces;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryPolicy;
import io.fondation.shared.contract.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's decisions, driven by hand in the manner of db-scheduler's {@code ManualScheduler}: a
 * {@link ManualWorker} polls and heartbeats only when told to, a claimed attempt runs on the test's thread, the
 * analyzer is a script that advances the {@link MutableClock}, heartbeats and touches the queue from inside its run,
 * and nothing runs git or a process. No real time passes: no waits, no sleeps.
 */
class ManualWorkerTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration HEARTBEAT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final FaultyQueue queue = new FaultyQueue(SqliteJobQueue.inMemory(clock));
    private final ScriptedAnalyzer analyzer = new ScriptedAnalyzer();
    private final ScriptedCloner cloner = new ScriptedCloner();
    private final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();
    private ManualWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
        queue.close();
    }

    private ManualWorker worker() {
        WorkerSettings settings = new WorkerSettings(
                "w1",
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                LEASE,
                HEARTBEAT,
                1,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                ProgressLanguage.ENGLISH);
        worker = ManualWorker.builder(
                        settings, queue, new JobTools(new TempWorkspaces(temp.resolve("work")), cloner, analyzer))
                .clock(clock)
                .listener(new WorkerListener() {
                    @Override
                    public void onOutcome(io.fondation.shared.ClaimedJob job, AttemptOutcome outcome) {
                        outcomes.add(outcome);
                    }
                })
                .build()
                .start();
        return worker;
    }

    private String submit() {
        return queue.enqueue(JobSpec.of(CloneSource.ofUrl("https://git.example.test/acme/app.git", null), ""));
    }

    private JobSnapshot job(String id) {
        return queue.get(id).orElseThrow();
    }

    @Test
    void aHeartbeatRenewsTheLeaseAndCarriesTheProgressThenTheJobCompletes() {
        ManualWorker worker = worker();
        String id = submit();
        analyzer.then(run -> {
            run.progress(new Progress(2, 6, "Analyse des relations"));
            clock.advance(Duration.ofMinutes(1));
            assertThat(worker.heartbeatOnce()).isEqualTo(1);
            JobSnapshot during = job(id);
            assertThat(during.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
            assertThat(during.status()).isEqualTo(JobStatus.ANALYZING);
            assertThat(during.progress().step()).isEqualTo(2);
            return Ending.completesWithOneChapter();
        });

        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.Completed.class);
        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(1).isNotLeased();
        assertThat(queue.beats).hasSize(1);
        assertThat(worker.metrics().snapshot().get("heartbeats_total").longValue())
                .isEqualTo(1);
        assertThat(worker.activeJobs()).isZero();
    }

    @Test
    void aLeaseTakenByAnotherWorkerStopsTheAnalyzerAndNothingIsWritten() {
        ManualWorker worker = worker();
        String id = submit();
        AtomicInteger liveAfter = new AtomicInteger(-1);
        analyzer.then(run -> {
            // the lease expires and another worker claims the job while this analyzer runs
            queue.release(run.job().lease());
            queue.claimOne("w2", LEASE).orElseThrow();
            liveAfter.set(worker.heartbeatOnce());
            assertThat(run.canceled())
                    .as("the worker stops its analyzer at once")
                    .isTrue();
            return Ending.completesWithOneChapter();
        });

        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(liveAfter.get()).isZero();
        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.LeaseLost.class);
        assertThatJob(job(id)).hasStatus(JobStatus.CLAIMED).isLeasedBy("w2").hasNoLastError();
        assertThat(job(id).documentCount()).isZero();
    }

    @Test
    void aCancelRequestStopsTheAnalyzerAtTheNextHeartbeatAndTheJobStaysCanceled() {
        ManualWorker worker = worker();
        String id = submit();
        analyzer.then(run -> {
            queue.cancel(id);
            assertThat(run.canceled())
                    .as("this queue pushes nothing: the heartbeat tells")
                    .isFalse();
            assertThat(worker.heartbeatOnce()).isZero();
            assertThat(run.canceled()).isTrue();
            return Ending.completesWithOneChapter();
        });

        worker.pollOnce();

        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.Canceled.class);
        assertThatJob(job(id)).hasStatus(JobStatus.CANCELED).isNotLeased().hasNoLastError();
        assertThat(job(id).documentCount()).isZero();
    }

    @Test
    void withoutARenewalBeforeTheLeaseDeadlineTheJobIsReleasedBeforeAnotherWorkerCanTakeIt() {
        ManualWorker worker = worker();
        String id = submit();
        Duration margin = LeaseDeadline.marginFor(LEASE, Duration.ofSeconds(5));
        analyzer.then(run -> {
            queue.heartbeatsFail = true;
            clock.advance(LEASE.minus(margin).minusSeconds(1));
            assertThat(worker.heartbeatOnce())
                    .as("a failed heartbeat before the deadline")
                    .isEqualTo(1);
            assertThat(run.canceled()).isFalse();
            clock.advance(Duration.ofSeconds(1));
            assertThat(worker.heartbeatOnce()).as("the deadline passed").isZero();
            assertThat(run.canceled()).isTrue();
            return Ending.completesWithOneChapter();
        });

        worker.pollOnce();

        assertThat(outcomes)
                .singleElement()
                .isInstanceOfSatisfying(
                        AttemptOutcome.Released.class,
                        released ->
                                assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.LEASE_DEADLINE));
        assertThatJob(job(id)).hasStatus(JobStatus.PENDING).hasAttempts(0).isNotLeased();
        assertThat(worker.metrics().snapshot().get("heartbeat_failures_total").longValue())
                .isEqualTo(2);
    }

    @Test
    void aRetryableFailureIsScheduledAtTheQueuesTimeAndTheJobRunsAgainWhenDue() {
        ManualWorker worker = worker();
        String id = submit();
        analyzer.then(run -> Ending.fails(FailureKind.TRANSIENT, "the model API answered 503 (test)"));
        Instant failedAt = clock.instant();

        worker.pollOnce();

        AttemptOutcome.RetryScheduled retry = (AttemptOutcome.RetryScheduled) outcomes.get(0);
        assertThat(retry.attempts()).isEqualTo(1);
        assertThat(retry.nextRunAt())
                .isBetween(
                        failedAt.plus(RetryPolicy.DEFAULT_BASE_DELAY),
                        failedAt.plus(RetryPolicy.DEFAULT_BASE_DELAY).plus(RetryPolicy.DEFAULT_MAX_JITTER));
        assertThatJob(job(id))
                .hasStatus(JobStatus.PENDING)
                .hasAttempts(1)
                .hasLastErrorContaining("503 (test)")
                .isNotLeased();
        assertThat(job(id).runAt()).isEqualTo(retry.nextRunAt());

        assertThat(worker.pollOnce()).as("not due yet").isEqualTo("empty");
        clock.set(retry.nextRunAt());
        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(outcomes).hasSize(2).last().isInstanceOf(AttemptOutcome.Completed.class);
        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(2);
        assertThat(analyzer.starts()).isEqualTo(2);
    }

    @Test
    void aWorkerFaultReleasesTheJobWithoutSpendingAnAttemptAndTheWorkerRetriesWhenTheRecheckIsDue() {
        ManualWorker worker = worker();
        String id = submit();
        queue.credentials = job -> {
            throw new ConfigurationException("ENCRYPTION_KEY", "cannot decrypt the GitHub token (test)");
        };

        worker.pollOnce();

        assertThat(outcomes).singleElement().isInstanceOfSatisfying(AttemptOutcome.Released.class, released -> {
            assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.WORKER_FAULT);
            assertThat(released.fault().kind()).isEqualTo(FailureKind.CONFIGURATION);
        });
        assertThatJob(job(id)).hasStatus(JobStatus.PENDING).hasAttempts(0).hasNoLastError();
        assertThat(worker.health().ready()).isFalse();
        assertThat(worker.pollOnce())
                .as("claims nothing while the fault is open")
                .isEqualTo("suspended");
        assertThat(analyzer.starts()).isZero();

        queue.credentials = job -> java.util.Optional.empty();
        clock.advance(WorkerFaults.FIRST_RECHECK.plusMillis(1)); // why: the breaker half-opens once its wait is over
        assertThat(worker.pollOnce()).as("the trial job").isEqualTo("claimed");

        assertThat(outcomes).hasSize(2).last().isInstanceOf(AttemptOutcome.Completed.class);
        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(1);
        assertThat(worker.health().workerFault()).isNull();
    }
}
