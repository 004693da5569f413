package io.fondation.engine.runtime;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.testing.Course;
import io.fondation.engine.testing.ScriptedAnalyzer;
import io.fondation.engine.testing.ScriptedAnalyzer.Ending;
import io.fondation.engine.testing.ScriptedCloner;
import io.fondation.engine.testing.TempWorkspaces;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.contract.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming instead of rerunning (issue 23), driven by hand: a {@link ManualWorker} on a real SQLite queue (which keeps
 * checkpoints), a scripted analyzer that writes the Fondation CLI's files and honours the plan it is given, a scripted
 * cloner that knows which commits its branch still has. No git, no process, no real-time wait.
 */
class ResumeTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration HEARTBEAT = Duration.ofSeconds(30);
    private static final String MOVED = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final FaultyQueue queue = new FaultyQueue(SqliteJobQueue.inMemory(clock));
    private final ScriptedAnalyzer analyzer = new ScriptedAnalyzer().resumable();
    private final ScriptedCloner cloner = new ScriptedCloner();
    private final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final List<WorkerEvent.AttemptResumed> resumes = new CopyOnWriteArrayList<>();
    private ManualWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
        queue.close();
    }

    private ManualWorker worker(boolean resume) {
        WorkerSettings settings = new WorkerSettings(
                "w1",
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                LEASE,
                HEARTBEAT,
                1,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                ProgressLanguage.ENGLISH,
                resume,
                null);
        worker = ManualWorker.builder(
                        settings, queue, new JobTools(new TempWorkspaces(temp.resolve("work")), cloner, analyzer))
                .clock(clock)
                .listener(new WorkerListener() {
                    @Override
                    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
                        outcomes.add(outcome);
                    }

                    @Override
                    public void publish(WorkerEvent event) {
                        WorkerListener.super.publish(event);
                        if (event instanceof WorkerEvent.AttemptResumed resumed) {
                            resumes.add(resumed);
                        }
                    }
                })
                .build()
                .start();
        return worker;
    }

    private String submit() {
        return queue.enqueue(JobSpec.of(CloneSource.ofUrl("https://git.example.test/acme/app.git", null), "a prompt"));
    }

    private JobSnapshot job(String id) {
        return queue.get(id).orElseThrow();
    }

    private Checkpoint checkpoint(String id) {
        return queue.checkpoint(id).orElseThrow();
    }

    /** Lets the retry the last attempt scheduled become due. */
    private void retryIsDue(String id) {
        clock.set(job(id).runAt());
    }

    /** A first run that writes steps 1 to {@code steps} (whole) then fails as a rate-limited model API does. */
    private ScriptedAnalyzer.Script failsAfter(int steps) {
        return run -> {
            run.writeMissing(Course.upTo(steps));
            return Ending.fails(FailureKind.RATE_LIMITED, "the model API answered 429 (test)");
        };
    }

    /** A run that writes what its plan leaves and completes, noting the files it wrote. */
    private ScriptedAnalyzer.Script finishes(List<String> written) {
        return run -> {
            written.addAll(run.writeMissing(Course.all()));
            return Ending.completes(run.collect());
        };
    }

    @Test
    void aRetryRestoresTheCheckpointAndRunsOnlyTheStepsLeft() {
        ManualWorker worker = worker(true);
        String id = submit();
        List<String> secondRun = new ArrayList<>();
        List<String> restoredAtStart = new ArrayList<>();
        analyzer.then(failsAfter(4)).then(run -> {
            try (var files = Files.walk(run.outputDir())) {
                files.filter(Files::isRegularFile)
                        .map(f -> run.outputDir().relativize(f).toString())
                        .forEach(restoredAtStart::add);
            }
            assertThat(worker.heartbeatOnce()).isEqualTo(1);
            assertThat(job(id).progress().message()).isEqualTo("resumed at step 5/6 (6 files kept)");
            assertThat(job(id).progress().step()).isEqualTo(5);
            return finishes(secondRun).play(run);
        });

        worker.pollOnce();
        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.RetryScheduled.class);
        assertThat(checkpoint(id).files())
                .extracting(CheckpointFile::path)
                .containsExactlyInAnyOrderElementsOf(Course.upTo(4).keySet());
        retryIsDue(id);
        worker.pollOnce();

        assertThat(outcomes).hasSize(2).last().isInstanceOf(AttemptOutcome.Completed.class);
        assertThat(cloner.wanted())
                .as("the retry clones the checkpoint's commit")
                .containsExactly(ScriptedCloner.FIRST_COMMIT);
        ResumePlan plan = analyzer.plans().get(1);
        assertThat(plan.firstStep()).isEqualTo(5);
        assertThat(restoredAtStart)
                .containsExactlyInAnyOrderElementsOf(Course.upTo(4).keySet());
        assertThat(secondRun)
                .as("only steps 5 and 6 ran")
                .containsExactlyInAnyOrder(
                        Course.reviewed(1),
                        Course.reviewed(2),
                        Course.reviewed(3),
                        Course.tutorial(1),
                        Course.tutorial(2),
                        Course.tutorial(3));
        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(2);
        assertThat(job(id).result().details())
                .containsEntry("resumed_at_step", 5)
                .containsEntry("resumed_files_kept", 6);
        assertThat(queue.checkpoint(id))
                .as("a completed job's checkpoint is deleted")
                .isEmpty();
        assertThat(resumes).hasSize(2);
        assertThat(resumes.get(1).stepsResumed()).isEqualTo(4);
        assertThat(resumes.get(1).stepsRerun()).isEqualTo(2);
        Map<String, Number> meters = worker.metrics().snapshot();
        assertThat(worker.metrics()
                        .registry()
                        .get("fondation.resume.steps")
                        .tag("kind", "resumed")
                        .counter()
                        .count())
                .isEqualTo(4.0);
        assertThat(worker.metrics()
                        .registry()
                        .get("fondation.resume.files.restored")
                        .counter()
                        .count())
                .isEqualTo(6.0);
        assertThat(meters).isNotEmpty();
    }

    @Test
    void aCheckpointOfAnotherModelIsIgnoredSaidSoAndRemovedAndTheRetryRunsEveryStep() {
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.model("model-a").then(failsAfter(5)).then(run -> {
            assertThat(run.plan().firstStep()).isEqualTo(1);
            assertThat(queue.checkpoint(id).map(Checkpoint::files).orElse(List.of()))
                    .as("the ignored files are removed")
                    .isEmpty();
            assertThat(worker.heartbeatOnce()).isEqualTo(1);
            assertThat(job(id).progress().message())
                    .isEqualTo("checkpoint ignored: model model-a (checkpoint) is not model-b; runs from step 1/6");
            return finishes(new ArrayList<>()).play(run);
        });

        worker.pollOnce();
        analyzer.model("model-b");
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(resumes.get(1).ignored()).contains("model model-a (checkpoint) is not model-b");
        assertThat(resumes.get(1).stepsRerun()).isEqualTo(6);
    }

    /**
     * The cost saved, as WorkerMetrics.RESUME_COST_SAVED defines it: each attempt that keeps steps counts what the
     * job's earlier attempts reported (the claim's costUsd); the first attempt, which keeps nothing, counts nothing.
     */
    @Test
    void eachResumedAttemptCountsTheCostItsJobsEarlierAttemptsReportedAsSaved() {
        ManualWorker worker = worker(true);
        String id = submit();
        List<BigDecimal> costsSeenAtClaim = new ArrayList<>();
        analyzer.then(run -> {
                    run.writeMissing(Course.upTo(4));
                    return Ending.fails(FailureKind.RATE_LIMITED, "the model API answered 429 (test)")
                            .costing("0.40");
                })
                .then(run -> {
                    costsSeenAtClaim.add(run.job().terms().costUsd());
                    assertThat(run.plan().firstStep()).isEqualTo(5);
                    run.writeMissing(Course.upTo(5));
                    return Ending.fails(FailureKind.RATE_LIMITED, "the model API answered 429 (test)")
                            .costing("0.25");
                })
                .then(run -> {
                    costsSeenAtClaim.add(run.job().terms().costUsd());
                    assertThat(run.plan().firstStep()).isEqualTo(6);
                    run.writeMissing(Course.all());
                    return Ending.completes(run.collect()).costing("0.10");
                });

        worker.pollOnce();
        retryIsDue(id);
        worker.pollOnce();
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(3);
        assertThat(job(id).costUsd()).isEqualByComparingTo("0.75");
        assertThat(costsSeenAtClaim).extracting(BigDecimal::toPlainString).containsExactly("0.400000", "0.650000");
        assertThat(resumes)
                .extracting(WorkerEvent.AttemptResumed::costSavedUsd)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(BigDecimal.ZERO, new BigDecimal("0.40"), new BigDecimal("0.65"));
        assertThat(worker.metrics()
                        .registry()
                        .get("fondation.resume.cost.saved")
                        .counter()
                        .count())
                .as("0.40 kept at step 5, then 0.65 kept at step 6")
                .isCloseTo(1.05, offset(1e-9));
    }

    /** A checkpoint that is ignored keeps no step: the earlier attempt's cost is paid again and nothing is saved. */
    @Test
    void anIgnoredCheckpointSavesNoCost() {
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.model("model-a")
                .then(run -> {
                    run.writeMissing(Course.upTo(5));
                    return Ending.fails(FailureKind.RATE_LIMITED, "the model API answered 429 (test)")
                            .costing("0.40");
                })
                .then(finishes(new ArrayList<>()));

        worker.pollOnce();
        analyzer.model("model-b");
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(resumes.get(1).ignored()).isNotEmpty();
        assertThat(resumes.get(1).job().terms().costUsd()).isEqualByComparingTo("0.40");
        assertThat(resumes.get(1).costSavedUsd()).isZero();
        assertThat(worker.metrics()
                        .registry()
                        .get("fondation.resume.cost.saved")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void aBranchForcePushedPastTheCheckpointsCommitRunsEveryStepOnTheNewHead() {
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.then(failsAfter(5)).then(run -> {
            assertThat(run.plan().firstStep()).isEqualTo(1);
            return finishes(new ArrayList<>()).play(run);
        });

        worker.pollOnce();
        cloner.moveHead(MOVED, false);
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(resumes.get(1).ignored())
                .startsWith("checkpoint ignored: commit 0123456789ab (checkpoint) is not" + " fedcba987654");
    }

    @Test
    void aBranchThatMovedOnStillResumesOnTheCheckpointsCommit() {
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.then(failsAfter(5)).then(run -> {
            assertThat(run.plan().firstStep()).isEqualTo(6);
            return finishes(new ArrayList<>()).play(run);
        });

        worker.pollOnce();
        cloner.moveHead(MOVED, true);
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(resumes.get(1).ignored()).isEmpty();
        assertThat(resumes.get(1).stepsResumed()).isEqualTo(5);
    }

    @Test
    void anEmptyChapterAndAStepYamlThatDoesNotParseAreDroppedRemovedAndRedone() {
        ManualWorker worker = worker(true);
        String id = submit();
        List<String> secondRun = new ArrayList<>();
        analyzer.then(run -> {
                    run.writeMissing(Course.upTo(4));
                    CheckpointBasis basis = checkpoint(id).basis();
                    // why: what a crash mid-write or a bad model answer leaves; the watcher would not report them
                    save(run.job(), basis, Course.chapter(2), "");
                    save(run.job(), basis, Course.STEP3, "order: [unclosed\n");
                    return Ending.fails(FailureKind.TRANSIENT, "the model API answered 503 (test)");
                })
                .then(run -> {
                    assertThat(run.plan().firstStep())
                            .as("step 3 is redone, and all after it")
                            .isEqualTo(3);
                    assertThat(run.plan().droppedPaths()).contains(Course.STEP3, Course.chapter(2));
                    assertThat(checkpoint(id).files())
                            .extracting(CheckpointFile::path)
                            .containsExactlyInAnyOrder(Course.STEP1, Course.STEP2);
                    assertThat(Files.exists(run.outputDir().resolve(Course.chapter(2))))
                            .isFalse();
                    return finishes(secondRun).play(run);
                });

        worker.pollOnce();
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(secondRun).contains(Course.STEP3, Course.chapter(2)).doesNotContain(Course.STEP1, Course.STEP2);
        Document chapter2 = queue.documents(id).stream()
                .filter(d -> d.content().contains("Text 2."))
                .findFirst()
                .orElseThrow();
        assertThat(chapter2.content()).startsWith("# Chapter 2");
    }

    private void save(ClaimedJob job, CheckpointBasis basis, String path, String content) {
        assertThat(queue.saveCheckpointFile(
                        job.lease(), basis, new CheckpointFile(path, content), CheckpointFence.LEASE))
                .isEqualTo(CheckpointWrite.SAVED);
    }

    @Test
    void aStaleHolderCannotWriteIntoTheCheckpointOfTheJobsNewHolder() {
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.then(run -> {
            run.writeMissing(Course.upTo(1));
            // the lease is lost: another worker claims the job and opens its checkpoint
            queue.release(run.job().lease());
            ClaimedJob other = queue.claimOne("w2", LEASE).orElseThrow();
            queue.openCheckpoint(other.lease());
            run.write(Course.STEP2, Course.upTo(2).get(Course.STEP2));
            assertThat(worker.heartbeatOnce()).isZero();
            return Ending.completesWithOneChapter();
        });

        worker.pollOnce();

        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.LeaseLost.class);
        assertThat(checkpoint(id).files()).extracting(CheckpointFile::path).containsExactly(Course.STEP1);
    }

    @Test
    void aFinishedAnalysisTheQueueCouldNotTakeIsKeptAndTheNextAttemptCompletesWithoutTheAnalyzer() {
        ManualWorker worker = worker(true);
        String id = submit();
        List<Document> firstCourse = new ArrayList<>();
        analyzer.then(run -> {
            run.writeMissing(Course.all());
            firstCourse.addAll(run.collect());
            // the queue stops answering before the analyzer ends, until after the lease
            queue.completesFail = true;
            queue.heartbeatsFail = true;
            queue.checkpointWritesToFail.set(3);
            clock.advance(LEASE.plusSeconds(1));
            return Ending.completes(firstCourse);
        });

        worker.pollOnce();

        assertThat(outcomes).singleElement().isInstanceOf(AttemptOutcome.Abandoned.class);
        assertThat(queue.checkpointWritesToFail.get())
                .as("the queue answered again")
                .isZero();
        assertThat(checkpoint(id).finished()).isTrue();
        queue.completesFail = false;
        queue.heartbeatsFail = false;

        assertThat(worker.pollOnce()).as("the expired lease is claimed again").isEqualTo("claimed");

        assertThat(outcomes).hasSize(2).last().isInstanceOf(AttemptOutcome.Completed.class);
        assertThat(analyzer.starts()).as("no analyzer run the second time").isEqualTo(1);
        assertThat(analyzer.collects()).isEqualTo(1);
        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(queue.documents(id))
                .extracting(Document::content)
                .containsExactlyInAnyOrderElementsOf(
                        firstCourse.stream().map(Document::content).toList());
        assertThat(job(id).result().details()).containsEntry("resumed_without_analyzer", true);
        assertThat(resumes.get(1).stepsRerun()).isZero();
    }

    @Test
    void withResumeOffNoCheckpointIsKeptAndEveryAttemptRunsFromTheStart() {
        ManualWorker worker = worker(false);
        String id = submit();
        analyzer.then(failsAfter(5)).then(finishes(new ArrayList<>()));

        worker.pollOnce();
        assertThat(queue.checkpoint(id)).isEmpty();
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED);
        assertThat(analyzer.plans()).as("the analyzer was started, not resumed").isEmpty();
        assertThat(resumes).isEmpty();
    }

    @Test
    void onAQueueThatKeepsNoCheckpointsEveryAttemptRunsFromTheStart() {
        queue.noCheckpoints = true;
        ManualWorker worker = worker(true);
        String id = submit();
        analyzer.then(failsAfter(5)).then(finishes(new ArrayList<>()));

        worker.pollOnce();
        retryIsDue(id);
        worker.pollOnce();

        assertThatJob(job(id)).hasStatus(JobStatus.COMPLETED).hasAttempts(2);
        assertThat(analyzer.plans()).isEmpty();
        assertThat(resumes).isEmpty();
    }
}
