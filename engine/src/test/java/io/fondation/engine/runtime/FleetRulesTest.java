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
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.contract.MutableClock;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
    /** Every call that reached the real queue, by name (what the queue is, not asked of it: see {@link #counting}). */
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private final FaultyQueue queue = new FaultyQueue(counting(SqliteJobQueue.inMemory(clock), calls));
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
        calls.clear();
        assertThat(worker.pollOnce()).isEqualTo("claimed");
        assertThat(queue.claimCalls.get()).isEqualTo(2);
        assertThat(snapshot(id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(calls)
                .as("the claim said it was the probe: one clear after the analysis, no read")
                .doesNotContain("pause", "pauses")
                .filteredOn("clearPause"::equals)
                .hasSize(1);
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
        ClaimedJob probe = queue.claimOne(new ClaimRequest("w0", LEASE, CREDENTIAL, null))
                .job()
                .orElseThrow();
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
    void anIdlePollIsOneCallToTheQueuePausedOrNot() {
        ManualWorker worker = worker(null);
        calls.clear();
        assertThat(worker.pollOnce()).isEqualTo("empty");
        assertThat(calls).as("nothing due, nothing paused").containsExactly("claimOne");

        submit(job());
        LlmPause pause = queue.recordPause("w0", CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
        calls.clear();
        assertThat(worker.pollOnce()).isEqualTo("paused");
        assertThat(calls)
                .as("the empty claim answered the pause: no read of it after the claim")
                .containsExactly("claimOne");
        assertThat(worker.health().pausedUntil()).isEqualTo(pause.resumesAt());

        // Past the pause another worker's claim is the probe; this worker's claim is held back by its window, and the
        // claim says until when, again in the one call.
        clock.set(pause.until());
        queue.claimOne(new ClaimRequest("w0", LEASE, CREDENTIAL, null)).job().orElseThrow();
        submit(job());
        calls.clear();
        assertThat(worker.pollOnce()).isEqualTo("paused");
        assertThat(calls).containsExactly("claimOne");
        assertThat(worker.health().pausedUntil())
                .isEqualTo(queue.pause(CREDENTIAL).orElseThrow().resumesAt())
                .isAfter(pause.until());
    }

    @Test
    void aSuccessfulAnalysisThatWasNotTheProbeNeitherReadsNorClearsThePause() {
        ManualWorker worker = worker(null);
        submit(job());
        LlmPause pause = queue.recordPause("w0", CREDENTIAL, LlmLimitKind.RATE_LIMIT, Duration.ofSeconds(20));
        clock.set(pause.until());
        ClaimedJob probe = queue.claimOne(new ClaimRequest("w0", LEASE, CREDENTIAL, null))
                .job()
                .orElseThrow();
        assertThat(probe.claimTerms().orElseThrow().probe()).isTrue();
        String mine = submit(job());
        // The probe's window ends with no news from it: claims go again, and none is the probe.
        LlmPause probing = queue.pause(CREDENTIAL).orElseThrow();
        clock.set(probing.resumesAt());

        calls.clear();
        assertThat(worker.pollOnce()).isEqualTo("claimed");

        assertThat(snapshot(mine).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(calls).as("a claim, then the attempt's own writes").startsWith("claimOne");
        assertThat(calls).as("not the probe: no pause read, no clear").doesNotContain("pause", "pauses", "clearPause");
        assertThat(queue.pause(CREDENTIAL)).as("the pause is left to its probe").contains(probing);
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

    /** Calls that ask what a queue is ({@link FleetSupport} and the like), answered from memory, not from the store. */
    private static final Set<String> NOT_CALLS =
            Set.of("fleetSupport", "checkpointSupport", "limits", "releaseSpendsAttempt", "toString", "hashCode");

    /**
     * {@code queue} behind a proxy that records the name of every call that reaches it, defaults included (a proxy
     * intercepts every method of the interface), in {@code calls}.
     */
    private static JobQueue counting(JobQueue queue, List<String> calls) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (!NOT_CALLS.contains(method.getName())) {
                calls.add(method.getName());
            }
            try {
                return method.invoke(queue, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (JobQueue)
                Proxy.newProxyInstance(JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class}, handler);
    }
}
