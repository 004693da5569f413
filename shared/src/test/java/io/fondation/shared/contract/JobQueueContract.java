package io.fondation.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimResult;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.DepthCounts;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.Progress;
import io.fondation.shared.QueueArguments;
import io.fondation.shared.RateLimitedRelease;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JobQueue} backend must have. A backend's test extends this class and
 * implements {@link #createQueue}; every test below then runs against it.
 *
 * <p>Time is a {@link MutableClock} the backend must read for "now". Tests move it with
 * {@link #advance}; a backend whose clock lives elsewhere (a server) follows it in
 * {@link #onClockAdvanced}. Expected backoff delays come from {@link RetryPolicy#DEFAULT}, the
 * policy every backend uses by default.
 *
 * <p>Hooks a subclass may override: {@link #onClockAdvanced}, {@link #unknownJobId()},
 * {@link #concurrencyThreads()}, {@link #concurrencyTimeout()} and {@link #setMaxRunningPerUser}. The cases of a
 * capability a backend may lack (depth, checkpoints, each fleet rule of issue 22) prove the rule on a backend that
 * keeps it and, on one that does not, what the SPI promises instead: it says why, and its calls refuse with that
 * reason or answer as a plain queue does; no case is skipped. The concurrency test always uses
 * {@value #CONCURRENCY_JOBS} jobs.
 */
public abstract class JobQueueContract {

    /** The lease every test claims with. */
    protected static final Duration LEASE = Duration.ofMinutes(5);

    /** Jobs in the concurrency test; the same for every backend. */
    protected static final int CONCURRENCY_JOBS = 1_000;

    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;
    private static final Duration MORE_THAN_LEASE = LEASE.plusSeconds(1);

    /** The clock the queue under test reads. */
    protected MutableClock clock;

    /** The queue under test: fresh and empty for every test. */
    protected JobQueue queue;

    /**
     * A fresh, empty queue that takes "now" from {@code clock}. Called once per test; the contract
     * closes it after the test.
     */
    protected abstract JobQueue createQueue(MutableClock clock);

    /** Called after the test clock moved by {@code by}; a remote backend moves its own clock here. */
    protected void onClockAdvanced(Duration by) {}

    /** A job id of the backend's format that names no job. */
    protected String unknownJobId() {
        return "no-such-job";
    }

    /** Worker threads in the concurrency test (at least 8). */
    protected int concurrencyThreads() {
        return 8;
    }

    /** How long the concurrency test may take before it fails. */
    protected Duration concurrencyTimeout() {
        return Duration.ofSeconds(60);
    }

    @BeforeEach
    final void openQueue() {
        clock = MutableClock.startingAtDefault();
        queue = createQueue(clock);
    }

    @AfterEach
    final void closeQueue() {
        if (queue != null) {
            queue.close();
        }
    }

    /** Moves the test clock (and, through {@link #onClockAdvanced}, the backend's) forward. */
    protected final Instant advance(Duration by) {
        Instant now = clock.advance(by);
        onClockAdvanced(by);
        return now;
    }

    // ---------------------------------------------------------------- enqueue, get, list

    @Test
    void enqueuedJobIsPendingWithItsSpec() {
        CloneSource source = CloneSource.ofUrl("https://git.example.invalid/acme/widgets.git", "release/1.2");
        Instant runAt = clock.instant().plusSeconds(60);
        String id = queue.enqueue(new JobSpec(source, "Explain the parser", 3, runAt, null));

        JobSnapshot job = snapshot(id);
        assertThat(job.id()).isEqualTo(id);
        assertThat(job.status()).isEqualTo(JobStatus.PENDING);
        assertThat(job.source()).isEqualTo(source);
        assertThat(job.prompt()).isEqualTo("Explain the parser");
        assertThat(job.attempts()).isZero();
        assertThat(job.maxAttempts()).isEqualTo(3);
        assertThat(job.runAt()).isEqualTo(runAt);
        assertThat(job.lockedBy()).isNull();
        assertThat(job.leaseUntil()).isNull();
        assertThat(job.progress()).isNull();
        assertThat(job.lastError()).isNull();
        assertThat(job.result()).isNull();
        assertThat(job.documentCount()).isZero();
        assertThat(job.cancelRequested()).isFalse();
        assertThat(job.createdAt()).isEqualTo(clock.instant());
        assertThat(job.completedAt()).isNull();

        CloneSource byName = CloneSource.ofFullName("acme/gadgets", null);
        assertThat(snapshot(queue.enqueue(JobSpec.of(byName, ""))).source()).isEqualTo(byName);
    }

    @Test
    void unknownJobIsAbsent() {
        assertThat(queue.get(unknownJobId())).isEmpty();
        assertThat(queue.documents(unknownJobId())).isEmpty();
        assertThat(queue.cancel(unknownJobId())).isFalse();
    }

    @Test
    void listReturnsNewestFirstFilteredByStatusAndLimited() {
        String a = enqueue("a");
        advance(Duration.ofSeconds(1));
        String b = enqueue("b");
        advance(Duration.ofSeconds(1));
        String c = enqueue("c");

        assertThat(ids(queue.list(null, 10))).containsExactly(c, b, a);
        assertThat(ids(queue.list(null, 2))).containsExactly(c, b);

        assertThat(queue.cancel(b)).isTrue();
        assertThat(ids(queue.list(JobStatus.CANCELED, 10))).containsExactly(b);
        assertThat(ids(queue.list(JobStatus.PENDING, 10))).containsExactly(c, a);
        assertThat(queue.list(JobStatus.COMPLETED, 10)).isEmpty();
    }

    @Test
    void dedupeKeyReturnsTheActiveJob() {
        String first = queue.enqueue(spec("widgets").withDedupeKey("repo-1"));
        assertThat(queue.enqueue(spec("widgets-again").withDedupeKey("repo-1"))).isEqualTo(first);

        claim("worker-a");
        assertThat(queue.enqueue(spec("while-running").withDedupeKey("repo-1")))
                .as("a claimed job is still active")
                .isEqualTo(first);

        String other = queue.enqueue(spec("gadgets").withDedupeKey("repo-2"));
        assertThat(other).isNotEqualTo(first);
        assertThat(queue.list(null, 10)).hasSize(2);

        assertThat(queue.cancel(first)).isTrue();
        String afterEnd = queue.enqueue(spec("widgets-later").withDedupeKey("repo-1"));
        assertThat(afterEnd).as("an ended job does not deduplicate").isNotIn(first, other);
        assertThat(snapshot(afterEnd).status()).isEqualTo(JobStatus.PENDING);
    }

    // ---------------------------------------------------------------- claiming

    @Test
    void emptyQueueHasNothingToClaim() {
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
    }

    @Test
    void claimsDueJobsInRunAtOrderAndNotBeforeRunAt() {
        Instant now = clock.instant();
        String future = queue.enqueue(spec("future").withRunAt(now.plusSeconds(60)));
        String late = queue.enqueue(spec("late").withRunAt(now));
        String early = queue.enqueue(spec("early").withRunAt(now.minusSeconds(3)));
        String middle = queue.enqueue(spec("middle").withRunAt(now.minusSeconds(2)));

        assertThat(claim("worker-a").id()).isEqualTo(early);
        assertThat(claim("worker-a").id()).isEqualTo(middle);
        assertThat(claim("worker-a").id()).isEqualTo(late);
        assertThat(queue.claimOne("worker-a", LEASE))
                .as("the future job is not due yet")
                .isEmpty();

        advance(Duration.ofSeconds(59));
        assertThat(queue.claimOne("worker-a", LEASE))
                .as("one second before its runAt")
                .isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(claim("worker-a").id()).isEqualTo(future);
    }

    @Test
    void claimedJobCarriesSpecAndLease() {
        CloneSource source = CloneSource.ofFullName("acme/widgets", "main");
        String id = queue.enqueue(new JobSpec(source, "Write a course", 4, null, null));

        ClaimedJob job = claim("worker-a");

        assertThat(job.id()).isEqualTo(id);
        assertThat(job.source()).isEqualTo(source);
        assertThat(job.prompt()).isEqualTo("Write a course");
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.maxAttempts()).isEqualTo(4);
        assertThat(job.lease().jobId()).isEqualTo(id);
        assertThat(job.lease().workerId()).isEqualTo("worker-a");
        assertThat(job.lease().token()).isNotBlank();
        assertThat(job.lease().expiresAt()).isEqualTo(clock.instant().plus(LEASE));

        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.CLAIMED);
        assertThat(snapshot.lockedBy()).isEqualTo("worker-a");
        assertThat(snapshot.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(snapshot.attempts())
                .as("attempts counts the attempts started: the running one is attempt 1")
                .isEqualTo(1);
    }

    @Test
    void aClaimedJobSaysSinceWhenItWasDue() {
        Instant created = clock.instant();
        enqueue("at-once");
        queue.enqueue(spec("scheduled").withRunAt(created.plusSeconds(30)));
        advance(Duration.ofSeconds(45));

        assertThat(claim("worker-a").dueAt()).as("due since its creation").isEqualTo(created);
        ClaimedJob scheduled = claim("worker-a");
        assertThat(scheduled.dueAt()).as("due since its runAt").isEqualTo(created.plusSeconds(30));

        advance(Duration.ofSeconds(10));
        Instant releasedAt = clock.instant();
        assertThat(queue.release(scheduled.lease())).isTrue();
        advance(Duration.ofSeconds(5));
        ClaimedJob released = claim("worker-b");
        assertThat(released.dueAt()).as("due since its release").isEqualTo(releasedAt);

        RetryDecision decision = queue.retryOrFail(released.lease(), JobFailure.of(FailureKind.TRANSIENT, "flaky"));
        Instant nextRunAt = ((RetryDecision.Retrying) decision).nextRunAt();
        advance(Duration.between(clock.instant(), nextRunAt).plusSeconds(3));
        assertThat(claim("worker-c").dueAt()).as("due since its backoff ended").isEqualTo(nextRunAt);
    }

    @Test
    void countByStatusCountsTheJobsOfEachStatusWhenTheQueueCanCount() {
        Optional<Map<JobStatus, Long>> before = queue.countByStatus();
        if (before.isEmpty()) {
            return; // this backend cannot count cheaply: the worker reports no queue depth
        }
        assertThat(before.get().values()).as("an empty queue").allMatch(count -> count == 0);
        for (String name : List.of("a", "b", "c", "d")) {
            enqueue(name);
        }
        claim("worker-a");
        ClaimedJob running = claim("worker-a");
        queue.heartbeat(running.lease(), JobStatus.ANALYZING, null, LEASE);
        String canceled = enqueue("e");
        assertThat(queue.cancel(canceled)).isTrue();

        Map<JobStatus, Long> counts = queue.countByStatus().orElseThrow();
        assertThat(counts.getOrDefault(JobStatus.PENDING, 0L)).isEqualTo(2);
        assertThat(counts.getOrDefault(JobStatus.CLAIMED, 0L)).isEqualTo(1);
        assertThat(counts.getOrDefault(JobStatus.ANALYZING, 0L)).isEqualTo(1);
        assertThat(counts.getOrDefault(JobStatus.CANCELED, 0L)).isEqualTo(1);
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
    }

    @Test
    void depthCountsPendingDueAndRunningJobsAtTheInstantAskedWhenTheQueueCanCount() {
        Instant start = clock.instant();
        Optional<DepthCounts> empty = queue.depth(start);
        if (empty.isEmpty()) {
            // A backend that cannot count says so the same way whatever it holds and whenever it is asked.
            enqueue("a");
            assertThat(queue.depth(start))
                    .as("a queue that cannot count its depth")
                    .isEmpty();
            assertThat(queue.depth(start.plus(Duration.ofHours(1)))).isEmpty();
            return;
        }
        assertThat(empty.get()).isEqualTo(DepthCounts.exact(0, 0, 0, 0));
        List<String> now = List.of(enqueue("a"), enqueue("b"), enqueue("c"), enqueue("d"));
        queue.enqueue(spec("later").withRunAt(start.plus(Duration.ofHours(1))));
        assertThat(queue.depth(start).orElseThrow()).isEqualTo(DepthCounts.exact(5, 4, 0, 0));
        assertThat(queue.depth(start.plus(Duration.ofHours(1))).orElseThrow().due())
                .as("due at the instant asked, not the queue's own")
                .isEqualTo(5);

        ClaimedJob working = claim("worker-a");
        queue.heartbeat(working.lease(), JobStatus.ANALYZING, null, LEASE);
        ClaimedJob shortLease =
                queue.claimOne("worker-b", Duration.ofMinutes(1)).orElseThrow();
        String canceled = now.stream()
                .filter(id -> !id.equals(working.id()) && !id.equals(shortLease.id()))
                .findFirst()
                .orElseThrow();
        assertThat(queue.cancel(canceled)).isTrue();
        DepthCounts busy = queue.depth(clock.instant()).orElseThrow();
        assertThat(busy).as("one due, one scheduled, two held").isEqualTo(DepthCounts.exact(2, 1, 2, 0));
        assertThat(busy.wanted()).isEqualTo(3);
        assertThat(busy.workersWanted(2)).isEqualTo(2);

        advance(Duration.ofSeconds(61));
        DepthCounts expired = queue.depth(clock.instant()).orElseThrow();
        assertThat(expired.due())
                .as("a job whose lease expired is due: a claim takes it over")
                .isEqualTo(2);
        assertThat(expired.running()).isEqualTo(1);
        assertThat(expired.pending())
                .as("pending; the expired job too once the backend has reclaimed it")
                .isBetween(2L, 3L);

        assertThat(queue.complete(working.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);
        advance(Duration.ofHours(1));
        DepthCounts idle = queue.depth(clock.instant()).orElseThrow();
        assertThat(idle.due()).as("the scheduled job came due").isEqualTo(3);
        assertThat(idle.running()).isZero();
        assertThat(idle.paused()).as("no pause was recorded").isZero();
        assertThat(idle.capped()).isEmpty();
    }

    @Test
    void aClaimedJobIsNotClaimedAgain() {
        String id = enqueue("only");
        assertThat(claim("worker-a").id()).isEqualTo(id);

        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
        advance(LEASE.minusSeconds(1));
        assertThat(queue.claimOne("worker-b", LEASE))
                .as("the lease has not expired yet")
                .isEmpty();
        assertThat(snapshot(id).lockedBy()).isEqualTo("worker-a");
    }

    // ---------------------------------------------------------------- heartbeats and leases

    @Test
    void heartbeatExtendsTheLeaseAndRecordsPhaseAndProgress() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        advance(Duration.ofMinutes(4));
        Progress progress = new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants");

        HeartbeatResult beat = queue.heartbeat(job.lease(), JobStatus.ANALYZING, progress, LEASE);

        assertThat(beat.leaseHeld()).isTrue();
        assertThat(beat.cancelRequested()).isFalse();
        assertThat(beat.lease().token()).isEqualTo(job.lease().token());
        assertThat(beat.lease().expiresAt()).isEqualTo(clock.instant().plus(LEASE));
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.ANALYZING);
        assertThat(snapshot.progress()).isEqualTo(progress);
        assertThat(snapshot.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));

        advance(Duration.ofMinutes(4));
        assertThat(queue.claimOne("worker-b", LEASE))
                .as("8 minutes after the claim, the renewed lease still holds")
                .isEmpty();

        HeartbeatResult keep = queue.heartbeat(beat.lease(), null, null, LEASE);
        assertThat(keep.leaseHeld()).isTrue();
        assertThat(snapshot(id).status()).as("a null phase keeps the status").isEqualTo(JobStatus.ANALYZING);
        assertThat(snapshot(id).progress())
                .as("a null progress keeps the progress")
                .isEqualTo(progress);
    }

    @Test
    void heartbeatRefusesAPhaseThatIsNotAWorkPhase() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");

        assertThatThrownBy(() -> queue.heartbeat(job.lease(), JobStatus.COMPLETED, null, LEASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("completed");
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CLAIMED);
    }

    @Test
    void expiredLeaseMakesTheJobClaimableByAnotherWorkerAndSpendsAnAttempt() {
        String id = enqueue("job");
        ClaimedJob first = claim("worker-a");

        advance(MORE_THAN_LEASE);
        ClaimedJob second = claim("worker-b");

        assertThat(second.id()).isEqualTo(id);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.lease().token()).isNotEqualTo(first.lease().token());
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.attempts())
                .as("the crashed attempt and the running one")
                .isEqualTo(2);
        assertThat(snapshot.lockedBy()).isEqualTo("worker-b");
        assertThat(snapshot.status()).isEqualTo(JobStatus.CLAIMED);
    }

    @Test
    void expiredLeasesEndTheJobDeadWhenAttemptsRunOut() {
        String id = queue.enqueue(spec("fragile").withMaxAttempts(2));
        claim("worker-a");
        advance(MORE_THAN_LEASE);
        assertThat(claim("worker-b").attempt()).isEqualTo(2);
        advance(MORE_THAN_LEASE);

        assertThat(queue.claimOne("worker-c", LEASE)).isEmpty();
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.DEAD);
        assertThat(snapshot.attempts()).isEqualTo(2);
        assertThat(snapshot.lockedBy()).isNull();
    }

    @Test
    void staleHolderIsRefusedEverywhereAndChangesNothing() {
        String id = enqueue("job");
        ClaimedJob stale = claim("worker-a");
        queue.heartbeat(stale.lease(), JobStatus.CLONING, Progress.starting("clonage"), LEASE);
        advance(MORE_THAN_LEASE);
        ClaimedJob current = claim("worker-b");
        Progress progress = new Progress(1, 6, "Étape 1/6: Extraction des abstractions principales");
        assertThat(queue.heartbeat(current.lease(), JobStatus.ANALYZING, progress, LEASE)
                        .leaseHeld())
                .isTrue();
        JobSnapshot before = snapshot(id);
        JobLease old = stale.lease();

        HeartbeatResult beat = queue.heartbeat(old, JobStatus.GATHERING, new Progress(6, 6, "stale"), LEASE);
        assertThat(beat.leaseHeld()).isFalse();
        assertThat(beat.cancelRequested()).isFalse();
        assertThat(queue.complete(
                        old, new Completion(JobResult.of("stale", 1), List.of(chapter(1, "intro", "stale")), null)))
                .isEqualTo(CompleteOutcome.NOT_HELD);
        assertThat(queue.retryOrFail(old, JobFailure.of(FailureKind.TRANSIENT, "stale")))
                .isEqualTo(new RetryDecision.NotHeld());
        assertThat(queue.release(old)).isFalse();

        assertThat(snapshot(id)).isEqualTo(before);
        assertThat(queue.documents(id)).isEmpty();
        assertThat(queue.heartbeat(current.lease(), null, null, LEASE).leaseHeld())
                .as("the current holder is unaffected")
                .isTrue();
    }

    @Test
    void fencingUsesTheLeaseTokenNotTheWorkerId() {
        String id = enqueue("job");
        ClaimedJob first = claim("worker-a");
        advance(MORE_THAN_LEASE);
        ClaimedJob again = claim("worker-a");
        assertThat(again.id()).isEqualTo(id);

        assertThat(queue.heartbeat(first.lease(), JobStatus.RUNNING, null, LEASE)
                        .leaseHeld())
                .isFalse();
        assertThat(queue.complete(first.lease(), JobResult.of("old", 0))).isEqualTo(CompleteOutcome.NOT_HELD);
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CLAIMED);

        assertThat(queue.complete(again.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);
    }

    @Test
    void releaseReturnsTheJobDueNowWithoutSpendingAnAttempt() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        advance(Duration.ofMinutes(1));

        assertThat(queue.release(job.lease())).isTrue();

        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.PENDING);
        assertThat(snapshot.attempts()).isZero();
        assertThat(snapshot.lockedBy()).isNull();
        assertThat(snapshot.runAt()).isEqualTo(clock.instant());
        assertThat(queue.release(job.lease())).as("released twice").isFalse();
        assertThat(queue.heartbeat(job.lease(), null, null, LEASE).leaseHeld())
                .as("a released lease is gone")
                .isFalse();

        ClaimedJob next = claim("worker-b");
        assertThat(next.id()).isEqualTo(id);
        assertThat(next.attempt()).isEqualTo(1);
    }

    @Test
    void attemptsCountTheAttemptsStartedSoTheRowNamesTheRunningOne() {
        String id = queue.enqueue(spec("job").withMaxAttempts(5));
        ClaimedJob first = claim("worker-a");
        queue.heartbeat(first.lease(), JobStatus.ANALYZING, new Progress(2, 6, "step 2"), LEASE);
        assertThat(snapshot(id).attempts())
                .as("attempt 1 runs")
                .isEqualTo(first.attempt())
                .isEqualTo(1);

        assertThat(queue.release(first.lease())).isTrue();
        assertThat(snapshot(id).attempts())
                .as("a release gives the attempt back")
                .isZero();

        ClaimedJob again = claim("worker-a");
        assertThat(again.attempt()).isEqualTo(1);
        RetryDecision failed = queue.retryOrFail(again.lease(), JobFailure.of(FailureKind.TRANSIENT, "boom"));
        assertThat(failed).isInstanceOf(RetryDecision.Retrying.class);
        assertThat(((RetryDecision.Retrying) failed).attempts()).isEqualTo(1);
        assertThat(snapshot(id).attempts())
                .as("a failure adds nothing to the attempt it ends")
                .isEqualTo(1);

        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) failed).nextRunAt()));
        ClaimedJob second = claim("worker-b");
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(snapshot(id).attempts()).isEqualTo(2);
        assertThat(queue.complete(second.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(snapshot(id).attempts()).as("nor does a completion").isEqualTo(2);
    }

    @Test
    void maxAttemptsAreThatManyRunsWhateverEndsThem() {
        // Three runs allowed: a failure, a crash (its lease expires), a failure; a release in between is no run.
        String id = queue.enqueue(spec("fragile").withMaxAttempts(3));
        int runs = 0;
        queue.release(claim("worker-a").lease());

        runs++;
        RetryDecision first = queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.TIMEOUT, "1"));
        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) first).nextRunAt()));
        runs++;
        assertThat(claim("worker-a").attempt()).isEqualTo(2);
        advance(MORE_THAN_LEASE);
        runs++;
        ClaimedJob last = claim("worker-b");
        assertThat(last.attempt()).as("after the crash").isEqualTo(3);
        assertThat(last.isLastAttempt()).isTrue();

        RetryDecision end = queue.retryOrFail(last.lease(), JobFailure.of(FailureKind.TIMEOUT, "3"));

        assertThat(end).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, 3));
        assertThat(snapshot(id).attempts()).isEqualTo(runs).isEqualTo(3);
        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-c", LEASE)).as("no fourth run").isEmpty();
    }

    @Test
    void anEndedJobHoldsNoLock() {
        String completed = enqueue("completed");
        ClaimedJob toComplete = claim("worker-a");
        queue.complete(toComplete.lease(), JobResult.of("done", 0));

        String failed = enqueue("failed");
        queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.INVALID_INPUT, "no such branch"));

        String dead = queue.enqueue(spec("dead").withMaxAttempts(1));
        queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.TRANSIENT, "boom"));

        String canceledPending = enqueue("canceled-pending");
        queue.cancel(canceledPending);

        String canceledRunning = enqueue("canceled-running");
        ClaimedJob running = claim("worker-a");
        queue.cancel(canceledRunning);
        assertThat(queue.heartbeat(running.lease(), null, null, LEASE).cancelRequested())
                .isTrue();
        assertThat(queue.release(running.lease()))
                .as("the holder gives the lock back; the job stays canceled")
                .isFalse();

        String crashed = queue.enqueue(spec("crashed").withMaxAttempts(1));
        claim("worker-a");
        String canceledThenAbandoned = enqueue("canceled-abandoned");
        claim("worker-a");
        queue.cancel(canceledThenAbandoned);
        advance(MORE_THAN_LEASE);
        assertThat(queue.claimOne("worker-b", LEASE))
                .as("a claim ends the expired leases")
                .isEmpty();

        for (String id :
                List.of(completed, failed, dead, canceledPending, canceledRunning, crashed, canceledThenAbandoned)) {
            JobSnapshot job = snapshot(id);
            assertThat(job.status().isTerminal())
                    .as(job.prompt() + ": " + job.status())
                    .isTrue();
            assertThat(job.lockedBy()).as(job.prompt() + ": lockedBy").isNull();
            assertThat(job.leaseUntil()).as(job.prompt() + ": leaseUntil").isNull();
        }
        assertThat(snapshot(crashed).status()).isEqualTo(JobStatus.DEAD);
        assertThat(snapshot(canceledRunning).status()).isEqualTo(JobStatus.CANCELED);
        assertThat(queue.complete(toComplete.lease(), JobResult.of("done", 0)))
                .as("the completing holder is still recognised")
                .isEqualTo(CompleteOutcome.ALREADY_COMPLETED);
    }

    @Test
    void aCanceledJobShowsTheAttemptItWasCanceledInAndNotAnEarlierAttemptsError() {
        String id = enqueue("job");
        RetryDecision first = queue.retryOrFail(
                claim("worker-a").lease(), JobFailure.of(FailureKind.TRANSIENT, "the first attempt's failure"));
        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) first).nextRunAt()));
        ClaimedJob second = claim("worker-a");
        assertThat(snapshot(id).lastError()).isEqualTo("the first attempt's failure");

        assertThat(queue.cancel(id)).isTrue();
        queue.release(second.lease());

        JobSnapshot canceled = snapshot(id);
        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.attempts())
                .as("canceled in attempt 2")
                .isEqualTo(second.attempt())
                .isEqualTo(2);
        assertThat(canceled.lastError() == null ? "" : canceled.lastError())
                .as("an earlier attempt's error is not the canceled job's")
                .doesNotContain("the first attempt's failure");
        assertThat(canceled.lockedBy()).isNull();
    }

    // ---------------------------------------------------------------- failures

    @Test
    void retryableFailureIsRetriedAfterBackoff() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        Instant now = clock.instant();

        RetryDecision decision = queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.TRANSIENT, "network down"));

        assertThat(decision).isInstanceOf(RetryDecision.Retrying.class);
        RetryDecision.Retrying retrying = (RetryDecision.Retrying) decision;
        assertThat(retrying.attempts()).isEqualTo(1);
        Instant earliest = now.plus(POLICY.backoff(1, 0));
        assertThat(retrying.nextRunAt())
                .isAfterOrEqualTo(earliest) // now + 5 s
                .isBefore(earliest.plus(POLICY.maxJitter())); // now + 10 s, exclusive
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.PENDING);
        assertThat(snapshot.runAt()).isEqualTo(retrying.nextRunAt());
        assertThat(snapshot.attempts()).isEqualTo(1);
        assertThat(snapshot.lockedBy()).isNull();
        assertThat(snapshot.lastError()).isEqualTo("network down");

        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
        advance(Duration.between(now, retrying.nextRunAt()).minusMillis(1));
        assertThat(queue.claimOne("worker-b", LEASE))
                .as("1 ms before the retry is due")
                .isEmpty();
        advance(Duration.ofMillis(1));
        ClaimedJob retried = claim("worker-b");
        assertThat(retried.id()).isEqualTo(id);
        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(snapshot(id).attempts()).as("the retry runs as attempt 2").isEqualTo(2);
    }

    @Test
    void retryingEndsDeadWhenAttemptsRunOut() {
        String id = queue.enqueue(spec("job").withMaxAttempts(2));
        RetryDecision first = queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.TIMEOUT, "first"));
        assertThat(first).isInstanceOf(RetryDecision.Retrying.class);
        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) first).nextRunAt()));

        RetryDecision second =
                queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.TIMEOUT, "second"));

        assertThat(second).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, 2));
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.DEAD);
        assertThat(snapshot.attempts()).isEqualTo(2);
        assertThat(snapshot.lastError()).isEqualTo("second");
        assertThat(snapshot.completedAt()).isEqualTo(clock.instant());
        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
    }

    @Test
    void nonRetryableFailureFailsAtOnce() {
        String id = enqueue("job");
        RetryDecision decision = queue.retryOrFail(
                claim("worker-a").lease(), JobFailure.of(FailureKind.INVALID_INPUT, "branch not found"));

        assertThat(decision).isEqualTo(new RetryDecision.GaveUp(JobStatus.FAILED, 1));
        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.FAILED);
        assertThat(snapshot.lastError()).isEqualTo("branch not found");
        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
    }

    @Test
    void minRetryDelayIsHonoured() {
        String id = enqueue("job");
        JobFailure limited = new JobFailure(FailureKind.RATE_LIMITED, "429 from the API", Duration.ofMinutes(2));
        assertThat(POLICY.backoff(1, 0.999_999))
                .as("premise: the hint is longer than any first backoff")
                .isLessThan(limited.minRetryDelay());
        Instant now = clock.instant();

        RetryDecision decision = queue.retryOrFail(claim("worker-a").lease(), limited);

        assertThat(decision).isEqualTo(new RetryDecision.Retrying(now.plus(limited.minRetryDelay()), 1));
        advance(limited.minRetryDelay().minusSeconds(1));
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(claim("worker-a").id()).isEqualTo(id);
    }

    @Test
    void lastErrorIsRecordedOnEveryRetry() {
        String id = enqueue("job");
        RetryDecision first =
                queue.retryOrFail(claim("worker-a").lease(), JobFailure.of(FailureKind.TRANSIENT, "first"));
        assertThat(snapshot(id).lastError()).isEqualTo("first");
        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) first).nextRunAt()));

        JobFailure longFailure = JobFailure.of(FailureKind.ANALYZER_FAILED, "é".repeat(5_000));
        queue.retryOrFail(claim("worker-a").lease(), longFailure);

        assertThat(snapshot(id).lastError())
                .as("the failure message, already cut to %d bytes, is stored whole", JobFailure.MAX_MESSAGE_BYTES)
                .isEqualTo(longFailure.message());
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelingAPendingJobEndsItAndItIsNeverClaimed() {
        String id = enqueue("job");

        assertThat(queue.cancel(id)).isTrue();

        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CANCELED);
        assertThat(queue.cancel(id)).as("already ended").isFalse();
        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-a", LEASE)).isEmpty();
    }

    @Test
    void cancelingARunningJobIsReportedByHeartbeatAndWinsOverComplete() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        queue.heartbeat(job.lease(), JobStatus.ANALYZING, new Progress(3, 6, "step 3"), LEASE);

        assertThat(queue.cancel(id)).isTrue();

        JobSnapshot canceled = snapshot(id);
        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.cancelRequested()).isTrue();
        HeartbeatResult beat = queue.heartbeat(job.lease(), JobStatus.GATHERING, new Progress(6, 6, "step 6"), LEASE);
        assertThat(beat.cancelRequested()).isTrue();
        assertThat(snapshot(id).status()).as("a heartbeat does not revive it").isEqualTo(JobStatus.CANCELED);

        Completion late = new Completion(JobResult.of("done anyway", 1), List.of(chapter(1, "intro", "late")), null);
        assertThat(queue.complete(job.lease(), late)).isEqualTo(CompleteOutcome.CANCELED);
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CANCELED);
        assertThat(queue.documents(id))
                .as("a refused completion stores no document")
                .isEmpty();
        queue.release(job.lease());
        queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.CANCELED, "canceled"));
        assertThat(snapshot(id).status())
                .as("neither release nor retry revives it")
                .isEqualTo(JobStatus.CANCELED);
        assertThat(queue.cancel(id)).isFalse();

        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-b", LEASE))
                .as("its old lease expiring does not revive it")
                .isEmpty();
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CANCELED);
    }

    // ---------------------------------------------------------------- complete

    @Test
    void completeIsIdempotent() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        advance(Duration.ofMinutes(2));
        JobResult result = new JobResult("12 documents", 12, Map.of("sessionId", "session-1"));

        assertThat(queue.complete(job.lease(), result)).isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(queue.complete(job.lease(), result)).isEqualTo(CompleteOutcome.ALREADY_COMPLETED);

        JobSnapshot snapshot = snapshot(id);
        assertThat(snapshot.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(snapshot.completedAt()).isEqualTo(clock.instant());
        assertThat(snapshot.lockedBy()).isNull();
        assertThat(snapshot.result().message()).isEqualTo("12 documents");
        assertThat(snapshot.result().documentCount()).isEqualTo(12);
        assertThat(snapshot.result().details()).containsEntry("sessionId", "session-1");
        assertThat(snapshot.documentCount()).isEqualTo(12);
        assertThat(snapshot.attempts()).as("the completing attempt counts once").isEqualTo(1);
        assertThat(queue.heartbeat(job.lease(), null, null, LEASE).leaseHeld())
                .as("nothing is held after completion")
                .isFalse();
        advance(Duration.ofHours(1));
        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void staleHolderCannotCompleteAJobAnotherWorkerCompleted() {
        String id = enqueue("job");
        ClaimedJob stale = claim("worker-a");
        advance(MORE_THAN_LEASE);
        ClaimedJob current = claim("worker-b");
        assertThat(queue.complete(current.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);

        assertThat(queue.complete(stale.lease(), JobResult.of("stale", 5))).isEqualTo(CompleteOutcome.NOT_HELD);
        assertThat(snapshot(id).result().message()).isEqualTo("done");
    }

    // ---------------------------------------------------------------- documents

    @Test
    void documentsAreReadBackInReadingOrder() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        Document abstractions = yaml("step1_abstractions.yaml", "Abstractions");
        Document relationships = yaml("step2_relationships.yaml", "Relationships");
        Document order = yaml("step3_order.yaml", "Chapter Order");
        Document ch1 = chapter(1, "intro", "# Chapter 1: Intro\n\nÉtape un.");
        Document ch2 = chapter(2, "parser", "# Chapter 2: Parser");
        Document ch10 = chapter(10, "wrap_up", "# Chapter 10: Wrap up");
        Document reviewed1 = reviewed(1, "intro");
        Document reviewed2 = reviewed(2, "parser");
        Document reviewed10 = reviewed(10, "wrap_up");
        Document tutorial2 = tutorial(2, "parse");
        Document tutorial10 = tutorial(10, "extend");
        List<Document> shuffled = List.of(
                tutorial10,
                ch10,
                reviewed2,
                order,
                ch2,
                tutorial2,
                abstractions,
                reviewed10,
                ch1,
                relationships,
                reviewed1);

        assertThat(queue.complete(job.lease(), new Completion(JobResult.of("done", 11), shuffled, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);

        assertThat(queue.documents(id))
                .containsExactly(
                        abstractions,
                        relationships,
                        order,
                        ch1,
                        ch2,
                        ch10,
                        reviewed1,
                        reviewed2,
                        reviewed10,
                        tutorial2,
                        tutorial10);
    }

    @Test
    void onlyTheCompletingAttemptWritesDocuments() {
        String id = enqueue("job");
        ClaimedJob first = claim("worker-a");
        queue.heartbeat(first.lease(), JobStatus.ANALYZING, new Progress(4, 6, "step 4"), LEASE);
        RetryDecision decision = queue.retryOrFail(first.lease(), JobFailure.of(FailureKind.TRANSIENT, "boom"));
        assertThat(queue.documents(id)).as("a failed attempt stores nothing").isEmpty();
        advance(Duration.between(clock.instant(), ((RetryDecision.Retrying) decision).nextRunAt()));
        ClaimedJob second = claim("worker-b");
        assertThat(queue.documents(id))
                .as("nothing is visible while the job runs")
                .isEmpty();

        List<Document> course = List.of(chapter(1, "intro", "v2"), chapter(2, "more", "new"));
        assertThat(queue.complete(second.lease(), new Completion(JobResult.of("done", 2), course, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);

        assertThat(queue.documents(id)).containsExactlyElementsOf(course);
        assertThat(snapshot(id).attempts())
                .as("one failed attempt, then the completing one")
                .isEqualTo(2);
    }

    @Test
    void completionRecordsTheLastProgressAndFailuresRecordTheirs() {
        String done = enqueue("done");
        ClaimedJob job = claim("worker-a");
        queue.heartbeat(job.lease(), JobStatus.CLONING, Progress.starting("clonage"), LEASE);
        Progress last = new Progress(6, 6, "Étape 6/6: Génération de tutoriels interactifs");

        queue.complete(job.lease(), new Completion(JobResult.of("done", 0), List.of(), last));

        assertThat(snapshot(done).progress()).isEqualTo(last);

        String failing = enqueue("failing");
        ClaimedJob other = claim("worker-a");
        queue.heartbeat(other.lease(), JobStatus.CLONING, Progress.starting("clonage"), LEASE);
        Progress reached = new Progress(3, 6, "Étape 3/6: Détermination de l'ordre optimal des chapitres");

        queue.retryOrFail(other.lease(), JobFailure.of(FailureKind.INVALID_INPUT, "bad"), reached);

        JobSnapshot failed = snapshot(failing);
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.progress()).as("a failed job shows how far it came").isEqualTo(reached);
    }

    @Test
    void oversizedDocumentIsRejectedWithItsSlugAndNothingChanges() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        int limit = queue.limits().maxDocumentContentBytes();
        Document huge = chapter(1, "huge", "x".repeat(limit + 1));
        Document fine = chapter(2, "fine", "x".repeat(limit));

        assertThatThrownBy(() ->
                        queue.complete(job.lease(), new Completion(JobResult.of("done", 2), List.of(fine, huge), null)))
                .isInstanceOf(JobQueueException.Rejected.class)
                .hasMessageContaining(huge.slug());
        assertThat(queue.documents(id)).isEmpty();
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.CLAIMED);
        assertThat(queue.heartbeat(job.lease(), null, null, LEASE).leaseHeld()).isTrue();
        assertThat(queue.complete(job.lease(), new Completion(JobResult.of("done", 1), List.of(fine), null)))
                .as("a document of exactly the limit fits")
                .isEqualTo(CompleteOutcome.COMPLETED);
    }

    // ---------------------------------------------------------------- checkpoints

    /** The basis of the checkpoints below: a commit, the dry-run analyzer, no model, a prompt. */
    protected static final CheckpointBasis BASIS = new CheckpointBasis(
            "0123456789abcdef0123456789abcdef01234567",
            "dry-run",
            "1.0.0",
            "",
            CheckpointBasis.fingerprint("Prompt for job"));

    private static final CheckpointBasis OTHER_COMMIT = new CheckpointBasis(
            "fedcba9876543210fedcba9876543210fedcba98",
            BASIS.analyzerKind(),
            BASIS.analyzerVersion(),
            BASIS.model(),
            BASIS.promptFingerprint());

    private static final CheckpointFile STEP1 = new CheckpointFile(
            "step1_abstractions.yaml", "- name: Queue\n  description: Holds jobs.\n  file_paths: [q.ts]\n");
    private static final CheckpointFile CHAPTER1 =
            new CheckpointFile("chapters/chapter_1_queue.md", "# Chapter 1: Queue\n\nÉtape un, déjà écrite.\n");
    private static final CheckpointFile CHAPTER2 =
            new CheckpointFile("chapters/chapter_2_worker.md", "# Chapter 2: Worker\n\nTwo.\n");

    @Test
    void aQueueSaysWhetherItKeepsCheckpointsAndOneThatDoesNotSaysWhy() {
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        CheckpointSupport support = queue.checkpointSupport();
        if (!support.supported()) {
            assertThat(support.reason()).isNotBlank();
            assertThatThrownBy(() -> queue.openCheckpoint(job.lease()))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(support.reason());
            assertThatThrownBy(() -> queue.checkpoint(id)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> queue.saveCheckpointFile(job.lease(), BASIS, STEP1, CheckpointFence.LEASE))
                    .isInstanceOf(UnsupportedOperationException.class);
            return;
        }
        assertThat(support.reason()).isEmpty();
        assertThat(queue.checkpoint(id)).as("a new job has no checkpoint").isEmpty();
        assertThat(queue.openCheckpoint(job.lease())).isEmpty();
        assertThat(queue.checkpoint(unknownJobId())).isEmpty();
    }

    @Test
    void theHolderSavesCheckpointFilesAndReadsThemBack() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        assertThat(queue.openCheckpoint(job.lease())).isEmpty();
        advance(Duration.ofSeconds(5));

        assertThat(save(job, CHAPTER2)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(save(job, STEP1)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(save(job, CHAPTER1)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(save(job, CHAPTER1)).as("saving the same file again").isEqualTo(CheckpointWrite.SAVED);

        Checkpoint checkpoint = queue.checkpoint(id).orElseThrow();
        assertThat(checkpoint.jobId()).isEqualTo(id);
        assertThat(checkpoint.basis()).isEqualTo(BASIS);
        assertThat(checkpoint.files()).containsExactly(CHAPTER1, CHAPTER2, STEP1);
        assertThat(checkpoint.finished()).isFalse();
        assertThat(checkpoint.updatedAt()).isEqualTo(clock.instant());
        assertThat(queue.openCheckpoint(job.lease())).contains(checkpoint);

        CheckpointFile rewritten = new CheckpointFile(STEP1.path(), "- name: Queue\n  description: Better.\n");
        assertThat(save(job, rewritten)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.checkpoint(id).orElseThrow().files()).containsExactly(CHAPTER1, CHAPTER2, rewritten);
    }

    /**
     * Issue 23 test 4, the queue's half: a checkpoint keeps a file exactly as saved, an empty chapter and a step YAML
     * that does not parse too (judging files is the next attempt's, the same on every backend), and the next holder,
     * having dropped them, removes them while the valid files stay.
     */
    @Test
    void anEmptyOrUnparsableFileIsKeptAsSavedUntilTheNextHolderRemovesIt() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob first = claim("worker-a");
        CheckpointFile empty = new CheckpointFile(CHAPTER2.path(), "");
        CheckpointFile unparsable = new CheckpointFile("step3_order.yaml", "order: [unclosed\n");
        assertThat(save(first, STEP1)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(save(first, empty)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(save(first, unparsable)).isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.release(first.lease())).isTrue();

        ClaimedJob next = claim("worker-b");
        assertThat(queue.openCheckpoint(next.lease()).orElseThrow().files())
                .as("byte for byte, the empty file too")
                .containsExactly(empty, STEP1, unparsable);
        assertThat(queue.removeCheckpointFiles(next.lease(), List.of(empty.path(), unparsable.path())))
                .isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.checkpoint(id).orElseThrow().files()).containsExactly(STEP1);
    }

    @Test
    void aCheckpointIsNeverTheCourse() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        save(job, CHAPTER1);
        assertThat(queue.documents(id)).as("while the job runs").isEmpty();
        assertThat(snapshot(id).documentCount()).isZero();

        List<Document> course = List.of(chapter(7, "other", "# Chapter 7: Other"));
        assertThat(queue.complete(job.lease(), new Completion(JobResult.of("done", 1), course, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(queue.documents(id)).as("only what the completion wrote").containsExactlyElementsOf(course);
    }

    @Test
    void aSaveMadeFromOtherInputsReplacesTheWholeCheckpoint() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        save(job, STEP1);
        save(job, CHAPTER1);

        assertThat(queue.saveCheckpointFile(job.lease(), OTHER_COMMIT, CHAPTER2, CheckpointFence.LEASE))
                .isEqualTo(CheckpointWrite.SAVED);

        Checkpoint checkpoint = queue.checkpoint(id).orElseThrow();
        assertThat(checkpoint.basis()).isEqualTo(OTHER_COMMIT);
        assertThat(checkpoint.files()).as("files of two commits never mix").containsExactly(CHAPTER2);
        assertThat(BASIS.differencesFrom(OTHER_COMMIT))
                .containsExactly("commit 0123456789ab (checkpoint) is not fedcba987654");
    }

    @Test
    void aStaleHolderCannotWriteIntoTheCheckpointOfTheJobsNewHolder() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob stale = claim("worker-a");
        queue.openCheckpoint(stale.lease());
        save(stale, STEP1);
        advance(MORE_THAN_LEASE);
        ClaimedJob current = claim("worker-b");
        assertThat(current.id()).isEqualTo(id);

        Checkpoint restored = queue.openCheckpoint(current.lease()).orElseThrow();
        assertThat(restored.files())
                .as("the new holder resumes from the old one's files")
                .containsExactly(STEP1);
        assertThat(save(current, CHAPTER1)).isEqualTo(CheckpointWrite.SAVED);
        Checkpoint before = queue.checkpoint(id).orElseThrow();

        CheckpointFile forged = new CheckpointFile(CHAPTER1.path(), "# Chapter 1: stale\n");
        for (CheckpointFence fence : CheckpointFence.values()) {
            assertThat(queue.saveCheckpointFile(stale.lease(), BASIS, forged, fence))
                    .as("a stale save under %s", fence)
                    .isEqualTo(CheckpointWrite.NOT_HELD);
            assertThat(queue.saveCheckpointFile(stale.lease(), OTHER_COMMIT, forged, fence))
                    .as("a stale save of other inputs under %s", fence)
                    .isEqualTo(CheckpointWrite.NOT_HELD);
            assertThat(queue.finishCheckpoint(stale.lease(), BASIS, List.of(STEP1.path(), CHAPTER1.path()), fence))
                    .isEqualTo(CheckpointWrite.NOT_HELD);
        }
        assertThat(queue.removeCheckpointFiles(stale.lease(), List.of(STEP1.path())))
                .isEqualTo(CheckpointWrite.NOT_HELD);
        assertThat(queue.openCheckpoint(stale.lease()))
                .as("a stale open reads nothing")
                .isEmpty();
        assertThat(queue.checkpoint(id)).contains(before);

        assertThat(queue.release(current.lease())).isTrue();
        assertThat(queue.saveCheckpointFile(stale.lease(), BASIS, forged, CheckpointFence.LEASE_OR_WAITING))
                .as("the job waits again, but another holder has opened and written its checkpoint since")
                .isEqualTo(CheckpointWrite.NOT_HELD);
        assertThat(queue.checkpoint(id)).contains(before);
    }

    @Test
    void aFinishedAnalysisIsSavedAfterItsLeaseWhileTheJobWaitsForNoOtherHolder() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        queue.openCheckpoint(job.lease());
        save(job, STEP1);
        // The queue was unreachable while the analysis finished, past the lease.
        advance(MORE_THAN_LEASE);

        for (CheckpointFile file : List.of(CHAPTER1, CHAPTER2)) {
            assertThat(queue.saveCheckpointFile(job.lease(), BASIS, file, CheckpointFence.LEASE_OR_WAITING))
                    .as("%s, saved once the queue answers again", file.path())
                    .isEqualTo(CheckpointWrite.SAVED);
        }
        List<String> output = List.of(STEP1.path(), CHAPTER1.path(), CHAPTER2.path());
        assertThat(queue.finishCheckpoint(job.lease(), BASIS, output, CheckpointFence.LEASE_OR_WAITING))
                .isEqualTo(CheckpointWrite.SAVED);

        ClaimedJob next = claim("worker-b");
        assertThat(next.attempt()).isEqualTo(2);
        Checkpoint checkpoint = queue.openCheckpoint(next.lease()).orElseThrow();
        assertThat(checkpoint.finished())
                .as("the next attempt completes without the analyzer")
                .isTrue();
        assertThat(checkpoint.files()).containsExactly(CHAPTER1, CHAPTER2, STEP1);
        assertThat(queue.saveCheckpointFile(job.lease(), BASIS, CHAPTER2, CheckpointFence.LEASE_OR_WAITING))
                .as("once another holder has the job")
                .isEqualTo(CheckpointWrite.NOT_HELD);
    }

    @Test
    void aReleasedHolderSavesItsFinishedOutputOnlyWhileNoOtherHolderOpenedTheCheckpoint() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        queue.openCheckpoint(job.lease());
        assertThat(queue.release(job.lease())).isTrue();

        assertThat(save(job, STEP1)).as("plain LEASE: not the holder any more").isEqualTo(CheckpointWrite.NOT_HELD);
        assertThat(queue.saveCheckpointFile(job.lease(), BASIS, STEP1, CheckpointFence.LEASE_OR_WAITING))
                .as("the job waits and nobody took it since")
                .isEqualTo(CheckpointWrite.SAVED);

        ClaimedJob other = claim("worker-b");
        queue.openCheckpoint(other.lease());
        assertThat(queue.release(other.lease())).isTrue();
        assertThat(queue.saveCheckpointFile(job.lease(), BASIS, CHAPTER1, CheckpointFence.LEASE_OR_WAITING))
                .as("worker-b opened the checkpoint meanwhile")
                .isEqualTo(CheckpointWrite.NOT_HELD);
        assertThat(queue.checkpoint(id).orElseThrow().files()).containsExactly(STEP1);
    }

    @Test
    void removedFilesAreGoneAndAFinishedMarkNeedsExactlyTheSavedFiles() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        save(job, STEP1);
        save(job, CHAPTER1);
        save(job, CHAPTER2);

        assertThat(queue.removeCheckpointFiles(job.lease(), List.of(CHAPTER2.path(), "chapters/unknown.md")))
                .isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.checkpoint(id).orElseThrow().files()).containsExactly(CHAPTER1, STEP1);

        assertThat(queue.finishCheckpoint(job.lease(), BASIS, List.of(STEP1.path()), CheckpointFence.LEASE))
                .as("a file is missing from the list")
                .isEqualTo(CheckpointWrite.INCOMPLETE);
        assertThat(queue.finishCheckpoint(
                        job.lease(),
                        BASIS,
                        List.of(STEP1.path(), CHAPTER1.path(), CHAPTER2.path()),
                        CheckpointFence.LEASE))
                .as("a file the checkpoint does not hold")
                .isEqualTo(CheckpointWrite.INCOMPLETE);
        assertThat(queue.finishCheckpoint(
                        job.lease(), OTHER_COMMIT, List.of(STEP1.path(), CHAPTER1.path()), CheckpointFence.LEASE))
                .as("another basis")
                .isEqualTo(CheckpointWrite.INCOMPLETE);
        assertThat(queue.checkpoint(id).orElseThrow().finished()).isFalse();

        assertThat(queue.finishCheckpoint(
                        job.lease(), BASIS, List.of(CHAPTER1.path(), STEP1.path()), CheckpointFence.LEASE))
                .isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.checkpoint(id).orElseThrow().finished()).isTrue();
        save(job, CHAPTER2);
        assertThat(queue.checkpoint(id).orElseThrow().finished())
                .as("a later save means the analysis goes on")
                .isFalse();

        queue.removeCheckpointFiles(job.lease(), List.of(STEP1.path(), CHAPTER1.path(), CHAPTER2.path()));
        assertThat(queue.checkpoint(id))
                .as("a checkpoint without files is none")
                .isEmpty();
    }

    @Test
    void aJobThatEndsLosesItsCheckpointAndOneThatWillRunAgainKeepsIt() {
        if (!keepsCheckpoints()) {
            return;
        }
        String completed = enqueue("completed");
        ClaimedJob completing = claim("worker-a");
        save(completing, STEP1);
        queue.complete(completing.lease(), JobResult.of("done", 0));

        String failed = enqueue("failed");
        ClaimedJob failing = claim("worker-a");
        save(failing, STEP1);
        queue.retryOrFail(failing.lease(), JobFailure.of(FailureKind.INVALID_INPUT, "no such branch"));

        String dead = queue.enqueue(spec("dead").withMaxAttempts(1));
        ClaimedJob dying = claim("worker-a");
        save(dying, STEP1);
        queue.retryOrFail(dying.lease(), JobFailure.of(FailureKind.TRANSIENT, "boom"));

        String canceled = enqueue("canceled");
        ClaimedJob canceling = claim("worker-a");
        save(canceling, STEP1);
        assertThat(queue.cancel(canceled)).isTrue();

        String retried = enqueue("retried");
        ClaimedJob retrying = claim("worker-a");
        save(retrying, STEP1);
        queue.retryOrFail(retrying.lease(), JobFailure.of(FailureKind.TRANSIENT, "flaky"));

        String released = enqueue("released");
        ClaimedJob releasing = claim("worker-a");
        save(releasing, STEP1);
        queue.release(releasing.lease());

        for (String id : List.of(completed, failed, dead, canceled)) {
            assertThat(queue.checkpoint(id))
                    .as("%s: %s", snapshot(id).prompt(), snapshot(id).status())
                    .isEmpty();
        }
        for (String id : List.of(retried, released)) {
            assertThat(queue.checkpoint(id)).as(snapshot(id).prompt()).isPresent();
        }
        for (CheckpointFence fence : CheckpointFence.values()) {
            assertThat(queue.saveCheckpointFile(canceling.lease(), BASIS, CHAPTER1, fence))
                    .as("the holder of a canceled job, under %s", fence)
                    .isEqualTo(CheckpointWrite.NOT_HELD);
            assertThat(queue.saveCheckpointFile(completing.lease(), BASIS, CHAPTER1, fence))
                    .as("the completing holder, under %s", fence)
                    .isEqualTo(CheckpointWrite.NOT_HELD);
        }
        assertThat(queue.checkpoint(canceled)).isEmpty();
        assertThat(queue.checkpoint(completed)).isEmpty();
    }

    @Test
    void aJobWhoseLastLeaseExpiresDiesAndLosesItsCheckpoint() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = queue.enqueue(spec("fragile").withMaxAttempts(1));
        ClaimedJob job = claim("worker-a");
        save(job, STEP1);
        advance(MORE_THAN_LEASE);
        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();

        assertThat(snapshot(id).status()).isEqualTo(JobStatus.DEAD);
        assertThat(queue.checkpoint(id)).isEmpty();
    }

    @Test
    void anOversizedCheckpointFileIsRefusedAndNothingChanges() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        int limit = queue.limits().maxDocumentContentBytes();
        CheckpointFile huge = new CheckpointFile("chapters/chapter_1_huge.md", "x".repeat(limit + 1));
        CheckpointFile fits = new CheckpointFile("chapters/chapter_2_fits.md", "x".repeat(limit));

        assertThatThrownBy(() -> save(job, huge))
                .isInstanceOf(JobQueueException.Rejected.class)
                .hasMessageContaining(huge.path());
        assertThat(queue.checkpoint(id)).isEmpty();
        assertThat(save(job, fits)).as("a file of exactly the limit fits").isEqualTo(CheckpointWrite.SAVED);
        assertThat(queue.checkpoint(id).orElseThrow().files()).containsExactly(fits);
    }

    @Test
    void anOrphanedCheckpointExpires() {
        if (!keepsCheckpoints()) {
            return;
        }
        String id = enqueue("job");
        ClaimedJob job = claim("worker-a");
        save(job, STEP1);
        // Waits longer than a checkpoint lives (a worker fleet stopped for a week, say).
        Duration wait = Checkpoint.ORPHAN_AFTER.plusDays(1);
        queue.retryOrFail(job.lease(), new JobFailure(FailureKind.RATE_LIMITED, "429", wait));

        advance(Checkpoint.ORPHAN_AFTER.minusMinutes(1));
        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
        assertThat(queue.checkpoint(id)).as("not yet an orphan").isPresent();

        advance(Duration.ofMinutes(2));
        assertThat(queue.claimOne("worker-b", LEASE)).isEmpty();
        assertThat(queue.checkpoint(id))
                .as("not written for %s", Checkpoint.ORPHAN_AFTER)
                .isEmpty();
    }

    /**
     * Whether the queue keeps checkpoints. When it does not, proves the SPI's promise for such a queue instead (it
     * says why, and every checkpoint call refuses with that reason, so the engine never mistakes it for an empty
     * checkpoint), and the calling case ends there.
     */
    private boolean keepsCheckpoints() {
        CheckpointSupport support = queue.checkpointSupport();
        if (support.supported()) {
            return true;
        }
        assertThat(support.reason()).as("a queue without checkpoints says why").isNotBlank();
        assertThatThrownBy(() -> queue.checkpoint("any-job"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(support.reason());
        return false;
    }

    private CheckpointWrite save(ClaimedJob job, CheckpointFile file) {
        return queue.saveCheckpointFile(job.lease(), BASIS, file, CheckpointFence.LEASE);
    }

    // ---------------------------------------------------------------- fleet: fair claims, pauses, budgets (issue 22)

    /** The fingerprint of the LLM credential most fleet tests claim with (a fingerprint, never a secret). */
    protected static final String CREDENTIAL = "sha256:0123456789abcdef0123456789abcdef";
    /** Another credential: its claims ignore {@link #CREDENTIAL}'s pause. */
    protected static final String OTHER_CREDENTIAL = "sha256:fedcba9876543210fedcba9876543210";

    /**
     * Sets the backend's cap on each user's live leases ({@code MAX_RUNNING_PER_USER}; 0: none) for the rest of the
     * test; each test starts without a cap.
     *
     * @return false when this backend cannot set it (the cap's case is then skipped, saying so)
     */
    protected boolean setMaxRunningPerUser(int cap) {
        return false;
    }

    @Test
    void aQueueSaysWhichFleetRulesItKeepsAndKeepsTodaysBehaviourForTheOthers() {
        FleetSupport support = queue.fleetSupport();
        if (support.features().size() < FleetSupport.Feature.values().length) {
            assertThat(support.reason())
                    .as("a queue lacking %s says why", support)
                    .isNotBlank();
        }
        String id = enqueue("job");
        ClaimResult answer = queue.claimOne(ClaimRequest.of("worker-a", LEASE).withCredential(CREDENTIAL));
        ClaimedJob job = answer.job().orElseThrow();
        assertThat(job.id()).isEqualTo(id);
        assertThat(job.claimTerms().map(ClaimTerms::probe))
                .as("no pause was ever recorded: not a probe (a queue without fleet rules tells no terms)")
                .isNotEqualTo(Optional.of(true));
        assertThat(queue.complete(job.lease(), Completion.of(JobResult.of("done", 0)), new BigDecimal("0.25")))
                .isEqualTo(CompleteOutcome.COMPLETED);
        if (!support.supports(FleetSupport.Feature.LLM_PAUSES)) {
            assertThatThrownBy(() -> queue.recordPause("worker-a", CREDENTIAL, LlmLimitKind.RATE_LIMIT, null))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(support.reason());
            assertThatThrownBy(() -> queue.pause(CREDENTIAL)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> queue.pauses()).isInstanceOf(UnsupportedOperationException.class);
        }
        if (support.supports(FleetSupport.Feature.COST_BUDGETS)) {
            assertThat(snapshot(id).costUsd()).isEqualByComparingTo("0.25");
        }
    }

    @Test
    void claimsTakeTurnsBetweenUsersSoOneUsersJobsNeitherStarveNorHideAnothersOne() {
        if (!keepsFleetRule(FleetSupport.Feature.FAIR_CLAIMS)) {
            return;
        }
        List<String> ofA = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ofA.add(queue.enqueue(spec("a-" + i).withUser("user-a")));
        }
        advance(Duration.ofSeconds(1));
        String ofB = queue.enqueue(spec("b").withUser("user-b"));
        String ofC = queue.enqueue(spec("c").withUser("user-c"));

        List<String> claimed = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ClaimedJob job = claim("worker-" + i);
            claimed.add(job.id());
            users.add(job.claimTerms().orElseThrow().userKey());
        }
        assertThat(users).containsExactly("user-a", "user-b", "user-c", "user-a", "user-a", "user-a");
        assertThat(claimed).containsExactly(ofA.get(0), ofB, ofC, ofA.get(1), ofA.get(2), ofA.get(3));
        assertThat(snapshot(ofB).user()).isEqualTo("user-b");
    }

    @Test
    void aUserAtMaxRunningPerUserIsSkippedUntilItsJobEnds() {
        if (!keepsFleetRule(FleetSupport.Feature.FAIR_CLAIMS)) {
            return;
        }
        assertThat(setMaxRunningPerUser(1))
                .as(
                        "%s keeps fair claims, so its contract test can set MAX_RUNNING_PER_USER",
                        getClass().getSimpleName())
                .isTrue();
        String first = queue.enqueue(spec("a-1").withUser("user-a"));
        String second = queue.enqueue(spec("a-2").withUser("user-a"));

        ClaimedJob running = claim("worker-1");
        assertThat(running.id()).isEqualTo(first);
        assertThat(queue.claimOne("worker-2", LEASE))
                .as("only user-a's jobs are due and its first one runs")
                .isEmpty();

        String ofB = queue.enqueue(spec("b").withUser("user-b"));
        assertThat(claim("worker-2").id())
                .as("another user's job is not held back")
                .isEqualTo(ofB);

        assertThat(queue.complete(running.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(claim("worker-3").id()).isEqualTo(second);
    }

    @Test
    void prioritiesOrderAUsersOwnJobs() {
        if (!keepsFleetRule(FleetSupport.Feature.FAIR_CLAIMS)) {
            return;
        }
        String low = queue.enqueue(spec("low").withUser("user-a").withPriority(-5));
        String plain = queue.enqueue(spec("plain").withUser("user-a"));
        advance(Duration.ofSeconds(1));
        String high = queue.enqueue(spec("high").withUser("user-a").withPriority(10));
        String highLater = queue.enqueue(spec("high-later")
                .withUser("user-a")
                .withPriority(10)
                .withRunAt(clock.instant().plusSeconds(30)));

        ClaimedJob first = claim("worker-1");
        assertThat(first.id()).isEqualTo(high);
        assertThat(first.claimTerms().orElseThrow().priority()).isEqualTo(10);
        assertThat(claim("worker-2").id())
                .as("a job not due yet waits whatever its priority")
                .isEqualTo(plain);
        advance(Duration.ofSeconds(30));
        assertThat(claim("worker-3").id()).isEqualTo(highLater);
        assertThat(claim("worker-4").id()).isEqualTo(low);
        assertThat(snapshot(low).priority()).isEqualTo(-5);
    }

    @Test
    void aPausedCredentialClaimsNothingWhileAnotherCredentialStillClaims() {
        if (!keepsFleetRule(FleetSupport.Feature.LLM_PAUSES)) {
            return;
        }
        enqueue("one");
        enqueue("two");
        Instant now = clock.instant();
        LlmPause pause = queue.recordPause("worker-a", CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
        assertThat(pause.credential()).isEqualTo(CREDENTIAL);
        assertThat(pause.kind()).isEqualTo(LlmLimitKind.RATE_LIMIT);
        assertThat(pause.until())
                .as("the retry-after plus at most 10 %% of jitter")
                .isBetween(now.plusSeconds(20), now.plusSeconds(22));
        assertThat(pause.holdsAt(now)).isTrue();
        assertThat(queue.pause(CREDENTIAL)).contains(pause);
        assertThat(queue.pauses()).extracting(LlmPause::credential).containsExactly(CREDENTIAL);
        assertThat(queue.pause(OTHER_CREDENTIAL)).isEmpty();

        ClaimResult paused = queue.claimOne(request("worker-b", CREDENTIAL));
        assertThat(paused.job()).as("paused").isEmpty();
        assertThat(paused.pause())
                .as("the empty claim answers the pause that held it back, as the queue reads it")
                .contains(pause);
        ClaimResult other = queue.claimOne(request("worker-c", OTHER_CREDENTIAL));
        assertThat(other.job()).isPresent();
        assertThat(other.job().orElseThrow().claimTerms().orElseThrow().probe())
                .as("a credential that was never paused has no probe")
                .isFalse();
        assertThat(queue.claimOne(ClaimRequest.of("worker-d", LEASE)).job())
                .as("a claim naming no credential ignores pauses")
                .isPresent();
        assertThat(queue.claimOne(request("worker-b", OTHER_CREDENTIAL)))
                .as("nothing due, nothing paused")
                .isEqualTo(ClaimResult.NONE);
    }

    @Test
    void aPauseEndsAtItsTimeThenOneProbeClaimsUntilThePauseIsCleared() {
        if (!keepsFleetRule(FleetSupport.Feature.LLM_PAUSES)) {
            return;
        }
        for (int i = 0; i < 3; i++) {
            enqueue("job-" + i);
        }
        LlmPause pause = queue.recordPause("worker-a", CREDENTIAL, LlmLimitKind.OVERLOADED, Duration.ofSeconds(20));
        advance(Duration.between(clock.instant(), pause.until()).minusMillis(1));
        ClaimResult early = queue.claimOne(request("worker-b", CREDENTIAL));
        assertThat(early.job()).as("1 ms before its end").isEmpty();
        assertThat(early.pause().orElseThrow().resumesAt()).isEqualTo(pause.until());
        assertThat(queue.clearPause("worker-a", CREDENTIAL))
                .as("a pause in force is kept")
                .isFalse();

        advance(Duration.ofMillis(1));
        ClaimedJob probe = queue.claimOne(request("worker-b", CREDENTIAL)).job().orElseThrow();
        assertThat(probe.claimTerms().orElseThrow().probe())
                .as("the claim says it is the probe")
                .isTrue();
        ClaimResult waiting = queue.claimOne(request("worker-c", CREDENTIAL));
        assertThat(waiting.job()).as("the others wait for the probe's answer").isEmpty();
        LlmPause probing = queue.pause(CREDENTIAL).orElseThrow();
        assertThat(probing.probeBy()).isEqualTo("worker-b");
        assertThat(waiting.pause())
                .as("held back by the probe's window, which the answer names")
                .contains(probing);
        assertThat(probing.resumesAt()).isAfter(probing.until());

        assertThat(queue.clearPause("worker-b", CREDENTIAL)).isTrue();
        assertThat(queue.pause(CREDENTIAL)).isEmpty();
        assertThat(queue.pauses()).isEmpty();
        ClaimedJob after = queue.claimOne(request("worker-c", CREDENTIAL)).job().orElseThrow();
        assertThat(after.claimTerms().orElseThrow().probe())
                .as("no pause, no probe")
                .isFalse();
    }

    @Test
    void onlyOneClaimIsTheProbeAndAClaimOfAnotherCredentialNeverIs() {
        if (!keepsFleetRule(FleetSupport.Feature.LLM_PAUSES)) {
            return;
        }
        for (int i = 0; i < 4; i++) {
            enqueue("job-" + i);
        }
        LlmPause pause = queue.recordPause("worker-a", CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
        advance(Duration.between(clock.instant(), pause.until()));

        ClaimedJob ofOther =
                queue.claimOne(request("worker-x", OTHER_CREDENTIAL)).job().orElseThrow();
        assertThat(ofOther.claimTerms().orElseThrow().probe())
                .as("another credential's claim does not take this credential's probe")
                .isFalse();
        ClaimedJob plain =
                queue.claimOne(ClaimRequest.of("worker-y", LEASE)).job().orElseThrow();
        assertThat(plain.claimTerms().orElseThrow().probe())
                .as("a claim naming no credential is never the probe")
                .isFalse();
        ClaimedJob probe = queue.claimOne(request("worker-b", CREDENTIAL)).job().orElseThrow();
        assertThat(probe.claimTerms().orElseThrow().probe()).isTrue();

        // The probe's window ends without an answer: claims go again, and none of them is a probe any more.
        LlmPause probing = queue.pause(CREDENTIAL).orElseThrow();
        advance(Duration.between(clock.instant(), probing.resumesAt()));
        ClaimResult late = queue.claimOne(request("worker-c", CREDENTIAL));
        assertThat(late.pause()).isEmpty();
        assertThat(late.job().orElseThrow().claimTerms().orElseThrow().probe())
                .as("the probe went out already")
                .isFalse();
    }

    @Test
    void aRateLimitedJobIsReleasedWithoutSpendingAnAttemptABoundedNumberOfTimes() {
        if (!keepsFleetRule(FleetSupport.Feature.LLM_PAUSES)) {
            return;
        }
        String id = queue.enqueue(spec("job").withMaxAttempts(2));
        for (int i = 1; i <= RateLimitedRelease.FREE_RELEASES; i++) {
            // why the other credential: its claims ignore the pause each release records for CREDENTIAL.
            ClaimedJob job =
                    queue.claimOne(request("worker-a", OTHER_CREDENTIAL)).job().orElseThrow();
            RateLimitedRelease released = queue.releaseRateLimited(
                    job.lease(), CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20), "429 " + i, null);
            assertThat(released.outcome()).isEqualTo(RateLimitedRelease.Outcome.RELEASED);
            assertThat(released.attempts()).isZero();
            assertThat(released.rateLimitedReleases()).isEqualTo(i);
            assertThat(released.pause().credential()).isEqualTo(CREDENTIAL);
            JobSnapshot row = snapshot(id);
            assertThat(row.status()).isEqualTo(JobStatus.PENDING);
            assertThat(row.attempts()).isZero();
            assertThat(row.runAt()).as("due at once").isEqualTo(clock.instant());
            assertThat(row.lastError()).isEqualTo("429 " + i);
        }
        ClaimedJob job =
                queue.claimOne(request("worker-a", OTHER_CREDENTIAL)).job().orElseThrow();
        RateLimitedRelease spent = queue.releaseRateLimited(
                job.lease(), CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20), "429 again", null);
        assertThat(spent.outcome())
                .as("past the free releases the limit spends the attempt")
                .isEqualTo(RateLimitedRelease.Outcome.RETRYING);
        assertThat(spent.attempts()).isEqualTo(1);
        assertThat(spent.nextRunAt())
                .as("not before the pause ends")
                .isAfterOrEqualTo(spent.pause().until());
        assertThat(queue.releaseRateLimited(job.lease(), CREDENTIAL, LlmLimitKind.RATE_LIMIT, null, "stale", null)
                        .outcome())
                .as("a stale holder changes nothing")
                .isEqualTo(RateLimitedRelease.Outcome.NOT_HELD);

        advance(Duration.between(clock.instant(), spent.nextRunAt()));
        ClaimedJob last =
                queue.claimOne(request("worker-a", OTHER_CREDENTIAL)).job().orElseThrow();
        assertThat(last.attempt()).isEqualTo(2);
        RateLimitedRelease dead = queue.releaseRateLimited(
                last.lease(), CREDENTIAL, LlmLimitKind.RATE_LIMIT, null, "429 at the end", null);
        assertThat(dead.outcome()).isEqualTo(RateLimitedRelease.Outcome.DEAD);
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.DEAD);
        assertThat(snapshot(id).attempts()).isEqualTo(2);
    }

    @Test
    void costsAddUpAcrossAttemptsAndAJobWhoseBudgetIsSpentEndsDead() {
        if (!keepsFleetRule(FleetSupport.Feature.COST_BUDGETS)) {
            return;
        }
        String id = queue.enqueue(spec("job").withMaxCostUsd(new BigDecimal("1.00")));
        List<BigDecimal> caps = new ArrayList<>();
        RetryDecision decision = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            ClaimedJob job = claim("worker-" + attempt);
            BigDecimal cap = job.claimTerms().orElseThrow().budgetUsd();
            caps.add(cap);
            // The analyzer is given `cap` and spends at most that: 0.40 an attempt while it may.
            BigDecimal cost = cap.min(new BigDecimal("0.40"));
            decision = queue.retryOrFail(
                    job.lease(), JobFailure.of(FailureKind.ANALYZER_FAILED, "failed late"), null, cost);
            if (decision instanceof RetryDecision.Retrying retrying) {
                advance(Duration.between(clock.instant(), retrying.nextRunAt()));
            }
        }
        assertThat(caps)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("1.00"), new BigDecimal("0.60"), new BigDecimal("0.20"));
        assertThat(decision).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, 3));
        JobSnapshot row = snapshot(id);
        assertThat(row.status()).isEqualTo(JobStatus.DEAD);
        assertThat(row.lastError()).contains("budget spent").contains("failed late");
        assertThat(row.costUsd()).isEqualByComparingTo("1.00");
        assertThat(row.maxCostUsd()).isEqualByComparingTo("1.00");
        assertThat(queue.claimOne("worker-4", LEASE)).isEmpty();
    }

    @Test
    void aJobWithoutACapGetsTheClaimsDefaultAndOneWhoseBudgetIsSpentIsNotClaimed() {
        if (!keepsFleetRule(FleetSupport.Feature.COST_BUDGETS)) {
            return;
        }
        String id = enqueue("job");
        ClaimRequest withDefault = ClaimRequest.of("worker-a", LEASE).withDefaultMaxCostUsd(new BigDecimal("0.50"));
        ClaimedJob first = queue.claimOne(withDefault).job().orElseThrow();
        assertThat(first.claimTerms().orElseThrow().budgetUsd()).isEqualByComparingTo("0.50");
        assertThat(queue.release(first.lease(), new BigDecimal("0.30"))).isTrue();
        assertThat(snapshot(id).attempts()).as("a release spends no attempt").isZero();
        assertThat(snapshot(id).costUsd()).as("but its cost counts").isEqualByComparingTo("0.30");

        ClaimedJob second = queue.claimOne(withDefault).job().orElseThrow();
        assertThat(second.claimTerms().orElseThrow().costUsd()).isEqualByComparingTo("0.30");
        assertThat(second.claimTerms().orElseThrow().budgetUsd()).isEqualByComparingTo("0.20");
        assertThat(queue.release(second.lease(), new BigDecimal("0.20"))).isTrue();

        assertThat(queue.claimOne(withDefault).job())
                .as("nothing is left for an attempt")
                .isEmpty();
        JobSnapshot row = snapshot(id);
        assertThat(row.status()).isEqualTo(JobStatus.DEAD);
        assertThat(row.lastError()).contains("budget spent");
        assertThat(row.costUsd()).isEqualByComparingTo("0.50");

        String free = enqueue("free");
        ClaimedJob uncapped = claim("worker-b");
        assertThat(uncapped.id()).isEqualTo(free);
        assertThat(uncapped.claimTerms().orElseThrow().budget())
                .as("no cap, no default")
                .isEmpty();
        assertThat(queue.complete(uncapped.lease(), Completion.of(JobResult.of("ok", 0)), new BigDecimal("2.5")))
                .isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(snapshot(free).costUsd()).isEqualByComparingTo("2.50");
    }

    private static ClaimRequest request(String workerId, String credential) {
        return ClaimRequest.of(workerId, LEASE).withCredential(credential);
    }

    /**
     * Whether the queue keeps {@code feature}. When it does not, proves the SPI's promise for such a queue instead (it
     * names why, a claim that names a credential still claims as a plain claim does, and the pause calls refuse with
     * the reason), and the calling case ends there.
     */
    private boolean keepsFleetRule(FleetSupport.Feature feature) {
        FleetSupport support = queue.fleetSupport();
        if (support.supports(feature)) {
            return true;
        }
        assertThat(support.reason()).as("a queue without %s says why", feature).isNotBlank();
        assertThat(queue.claimOne(request("worker-1", "sha256:" + "0".repeat(32))))
                .as("a claim naming a credential on an empty queue: nothing, and no pause")
                .isEqualTo(ClaimResult.NONE);
        if (!support.supports(FleetSupport.Feature.LLM_PAUSES)) {
            assertThatThrownBy(() -> queue.pause("sha256:" + "0".repeat(32)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(support.reason());
        }
        return false;
    }

    // ---------------------------------------------------------------- arguments

    @Test
    void invalidWorkerIdsAndLeasesAreRefusedTheSameWayByEveryBackend() {
        enqueue("job");

        assertThatThrownBy(() -> queue.claimOne("", LEASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.claimOne("has space", LEASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.claimOne("w", QueueArguments.MIN_LEASE.minusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> queue.claimOne("w", QueueArguments.MAX_LEASE.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        ClaimedJob job = claim("w");
        assertThatThrownBy(() -> queue.heartbeat(job.lease(), null, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentWorkersClaimAndCompleteEveryJobExactlyOnce() throws Exception {
        int threads = concurrencyThreads();
        assertThat(threads).as("the contract needs real contention").isGreaterThanOrEqualTo(8);
        Set<String> enqueued = IntStream.range(0, CONCURRENCY_JOBS)
                .mapToObj(i -> enqueue("job-" + i))
                .collect(Collectors.toSet());
        assertThat(enqueued).hasSize(CONCURRENCY_JOBS);

        Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
        AtomicInteger completed = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long began = System.nanoTime();
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String workerId = "worker-" + t;
                futures.add(pool.submit(() -> {
                    if (!start.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("start signal never came");
                    }
                    int mine = 0;
                    Optional<ClaimedJob> next;
                    while ((next = queue.claimOne(workerId, LEASE)).isPresent()) {
                        ClaimedJob job = next.get();
                        claims.computeIfAbsent(job.id(), k -> new AtomicInteger())
                                .incrementAndGet();
                        CompleteOutcome outcome = queue.complete(job.lease(), JobResult.of("ok", 0));
                        if (outcome == CompleteOutcome.COMPLETED) {
                            completed.incrementAndGet();
                        } else {
                            problems.add(job.id() + " completed as " + outcome);
                        }
                        mine++;
                    }
                    return mine;
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + concurrencyTimeout().toNanos();
            int total = 0;
            for (Future<Integer> future : futures) {
                total += future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            System.out.printf(
                    "%s: %d threads claimed and completed %d jobs in %d ms%n",
                    getClass().getSimpleName(), threads, total, millis);

            assertThat(problems).isEmpty();
            assertThat(total).isEqualTo(CONCURRENCY_JOBS);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        assertThat(claims.keySet()).isEqualTo(enqueued);
        assertThat(claims.entrySet())
                .filteredOn(e -> e.getValue().get() != 1)
                .as("jobs claimed more than once")
                .isEmpty();
        assertThat(completed).hasValue(CONCURRENCY_JOBS);
        assertThat(queue.list(JobStatus.COMPLETED, CONCURRENCY_JOBS + 10)).hasSize(CONCURRENCY_JOBS);
        assertThat(queue.list(JobStatus.PENDING, 10)).isEmpty();
        assertThat(queue.claimOne("late-worker", LEASE)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** A job spec for repository {@code acme/<name>}. */
    protected static JobSpec spec(String name) {
        return JobSpec.of(CloneSource.ofFullName("acme/" + name, "main"), "Prompt for " + name);
    }

    /** Enqueues {@link #spec} and returns the id. */
    protected final String enqueue(String name) {
        return queue.enqueue(spec(name));
    }

    /** Claims a job that must be there. */
    protected final ClaimedJob claim(String workerId) {
        return queue.claimOne(workerId, LEASE)
                .orElseThrow(() -> new AssertionError(workerId + " expected to claim a job at " + clock.instant()));
    }

    /** The snapshot of a job that must exist. */
    protected final JobSnapshot snapshot(String id) {
        return queue.get(id).orElseThrow(() -> new AssertionError("job " + id + " not found"));
    }

    private static List<String> ids(List<JobSnapshot> jobs) {
        return jobs.stream().map(JobSnapshot::id).toList();
    }

    protected static Document chapter(int index, String name, String content) {
        return new Document(
                "chapters/chapter_" + index + "_" + name + ".md",
                "Chapter " + index,
                index,
                DocumentKind.CHAPTER,
                content);
    }

    private static Document reviewed(int index, String name) {
        return new Document(
                "reviewed-chapters/chapter_" + index + "_" + name + ".md",
                "Reviewed: Chapter " + index,
                index,
                DocumentKind.CHAPTER,
                "# Chapter " + index + " (reviewed)");
    }

    private static Document tutorial(int index, String name) {
        return new Document(
                "tutorials/tutorial_" + index + "_" + name + ".md",
                "Tutorial: " + name,
                index,
                DocumentKind.TUTORIAL,
                "# Interactive Tutorial: " + name);
    }

    private static Document yaml(String slug, String title) {
        return new Document(slug, title, null, DocumentKind.YAML, "{\"title\":\"" + title + "\"}");
    }
}
