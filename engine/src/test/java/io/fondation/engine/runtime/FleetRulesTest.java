package io.fondation.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.testing.ScriptedAnalyzer;
import io.fondation.engine.testing.ScriptedAnalyzer.Ending;
import io.fondation.engine.testing.ScriptedCloner;
import io.fondation.engine.testing.TempWorkspaces;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.contract.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's side of issue 22's fleet rules, driven by hand ({@link ManualWorker}, {@link MutableClock}) against the
 * real embedded queue: claims name the analyzer's credential and the worker's default cap, a rate-limited attempt is
 * released without spending an attempt and pauses the credential, a paused worker claims nothing until the pause ends,
 * and each attempt's cost reaches the queue with the write that ends it.
 */
class FleetRulesTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final String CREDENTIAL = "sha256:0123456789abcdef0123456789abcdef";

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final FaultyQueue queue = new FaultyQueue(SqliteJobQueue.inMemory(clock));
    private final ScriptedAnalyzer analyzer = new ScriptedAnalyzer().credential(CREDENTIAL);
    private final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();
    private ManualWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
        queue.close();
    }

    private ManualWorker worker(BigDecimal jobMaxCostUsd) {
        WorkerSettings settings = new WorkerSettings(
                "w1",
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                LEASE,
                Duration.ofSeconds(30),
                1,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                ProgressLanguage.ENGLISH,
                true,
                jobMaxCostUsd);
        worker = ManualWorker.builder(
                        settings,
                        queue,
                        new JobTools(new TempWorkspaces(temp.resolve("work")), new ScriptedCloner(), analyzer))
                .clock(clock)
                .listener(new WorkerListener() {
                    @Override
                    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
                        outcomes.add(outcome);
                    }
                })
                .build()
                .start();
        return worker;
    }

    private String submit(JobSpec spec) {
        return queue.enqueue(spec);
    }

    private static JobSpec job() {
        return JobSpec.of(CloneSource.ofUrl("https://git.example.test/acme/app.git", null), "");
    }

    private JobSnapshot snapshot(String id) {
        return queue.get(id).orElseThrow();
    }

    @Test
    void claimsNameTheAnalyzersCredentialAndTheWorkersDefaultCap() {
        ManualWorker worker = worker(new BigDecimal("2.50"));
        submit(job());

        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(queue.lastRequest.credential()).isEqualTo(CREDENTIAL);
        assertThat(queue.lastRequest.defaultMaxCostUsd()).isEqualByComparingTo("2.50");
    }

    @Test
    void aRateLimitedAttemptIsReleasedWithoutSpendingAnAttemptAndPausesTheCredentialForTheFleet() {
        ManualWorker worker = worker(null);
        String id = submit(job());
        analyzer.then(run -> Ending.rateLimited(Duration.ofSeconds(20)).costing("0.05"));

        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(outcomes)
                .singleElement()
                .isInstanceOfSatisfying(
                        AttemptOutcome.Released.class,
                        released -> assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.RATE_LIMITED));
        JobSnapshot row = snapshot(id);
        assertThat(row.status()).isEqualTo(JobStatus.PENDING);
        assertThat(row.attempts()).as("no attempt spent").isZero();
        assertThat(row.costUsd()).as("but its cost counts").isEqualByComparingTo("0.05");
        LlmPause pause = queue.pause(CREDENTIAL).orElseThrow();
        assertThat(pause.kind()).isEqualTo(LlmLimitKind.RATE_LIMIT);
        assertThat(pause.until()).isAfterOrEqualTo(clock.instant().plusSeconds(20));
        assertThat(worker.metrics().snapshot().get("jobs_released_total").longValue())
                .isEqualTo(1);
    }

    @Test
    void anEmptyClaimUnderAPauseWaitsUntilItsEndWithoutAnotherClaimThenProbes() {
        ManualWorker worker = worker(null);
        String id = submit(job());
        LlmPause pause = queue.recordPause("w0", CREDENTIAL, LlmLimitKind.OVERLOADED, Duration.ofSeconds(20));

        assertThat(worker.pollOnce()).isEqualTo("paused");
        assertThat(queue.claimCalls.get()).isEqualTo(1);
        assertThat(worker.health().ready()).as("ready, but paused").isTrue();
        assertThat(worker.health().pausedUntil()).isEqualTo(pause.resumesAt());
        assertThat(worker.metrics()
                        .registry()
                        .get(io.fondation.engine.metrics.WorkerMetrics.LLM_PAUSE_REMAINING)
                        .gauge()
                        .value())
                .isBetween(20.0, 22.0);

        clock.advance(Duration.between(clock.instant(), pause.resumesAt()).minusMillis(1));
        assertThat(worker.pollOnce()).isEqualTo("paused");
        assertThat(queue.claimCalls.get())
                .as("no claim goes out while the pause holds")
                .isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(worker.pollOnce()).isEqualTo("claimed");
        assertThat(queue.claimCalls.get()).isEqualTo(2);
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(queue.pause(CREDENTIAL))
                .as("the probe got its answers: the pause is cleared")
                .isEmpty();
        assertThat(worker.health().pausedUntil()).isNull();
    }

    @Test
    void pastThePauseAChangeTheQueueTellsOfEndsTheWaitForAnotherWorkersProbeOnceItClearedThePause() {
        ManualWorker worker = worker(null);
        submit(job());
        String other = submit(job());
        LlmPause pause = queue.recordPause("w0", CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
        clock.set(pause.until());
        // Another worker's claim is the probe.
        ClaimedJob probe =
                queue.claimOne(new ClaimRequest("w0", LEASE, CREDENTIAL, null)).orElseThrow();
        assertThat(worker.pollOnce()).isEqualTo("paused");
        LlmPause probing = queue.pause(CREDENTIAL).orElseThrow();
        assertThat(worker.health().pausedUntil())
                .as("the probe's window")
                .isEqualTo(probing.resumesAt())
                .isAfter(pause.until());

        clock.advance(Duration.ofSeconds(1));
        worker.queueChanged(); // a heartbeat of the probe, say: the pause still holds
        assertThat(worker.pollOnce()).isEqualTo("paused");
        assertThat(queue.claimCalls.get()).as("the change was worth a claim").isEqualTo(3);
        assertThat(worker.pollOnce())
                .as("no change since: no claim until the window ends")
                .isEqualTo("paused");
        assertThat(queue.claimCalls.get()).isEqualTo(3);

        // The probe's analysis got its answers: its worker clears the pause, and the queue tells of the change.
        assertThat(queue.clearPause("w0", CREDENTIAL)).isTrue();
        worker.queueChanged();

        assertThat(worker.pollOnce())
                .as("claimed long before the probe's window ends")
                .isEqualTo("claimed");
        assertThat(snapshot(other).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(clock.instant()).isBefore(probing.resumesAt());
        assertThat(probe.id()).isNotEqualTo(other);
    }

    @Test
    void eachAttemptGetsWhatIsLeftOfTheJobsBudgetAndItsCostReachesTheQueue() {
        ManualWorker worker = worker(null);
        String id = submit(job().withMaxCostUsd(new BigDecimal("1.00")));
        List<BigDecimal> budgets = new CopyOnWriteArrayList<>();
        analyzer.then(run -> {
            budgets.add(run.job().claimTerms().flatMap(ClaimTerms::budget).orElseThrow());
            // Claude Code stopped at its --max-budget-usd: a job fault, retryable while the job has budget left
            return Ending.fails(
                            FailureKind.INVALID_INPUT,
                            "the analyzer reached its cost limit before finishing: the repository costs more than"
                                    + " allowed (raise the limit, or analyse a smaller repository)")
                    .costing("0.40");
        });
        analyzer.then(run -> {
            budgets.add(run.job().claimTerms().flatMap(ClaimTerms::budget).orElseThrow());
            return Ending.completesWithOneChapter().costing("0.35");
        });

        assertThat(worker.pollOnce()).isEqualTo("claimed");
        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.RetryScheduled.class);
        assertThat(snapshot(id).costUsd()).isEqualByComparingTo("0.40");

        clock.advance(Duration.between(clock.instant(), snapshot(id).runAt()));
        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(budgets)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("1.00"), new BigDecimal("0.60"));
        JobSnapshot row = snapshot(id);
        assertThat(row.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(row.costUsd()).as("the completion carries its cost").isEqualByComparingTo("0.75");
    }
}
