package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.worker.chaos.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resume instead of rerun (issue 23), end to end in one JVM with real processes, on both queues (the embedded SQLite
 * file, and the hardened Convex functions under the local Convex test server): a worker clones a real repository with
 * git and runs the Fondation-CLI fixture (which honours {@code --steps} and skips existing chapter files as the real
 * CLI does, and logs each step and request) in its sandbox. Test 3: a rate limit at step 6 spends the attempt; the
 * retry clones the same commit, restores the checkpoint and runs only step 6, and the course it completes is
 * byte-identical to an uninterrupted run's. Test 2: a worker stopped during step 4 leaves its chapters, and the next
 * writes only the missing ones. Test 5: a branch that moved on still resumes on the checkpoint's commit; a checkpoint
 * of a commit the origin no longer has (force-pushed, pruned), or of another model ({@code CLI_PROFILE}), is ignored,
 * said so on the row, and every step runs.
 */
class ResumeEndToEndTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRateLimitAtStep6IsRetriedWithOnlyStep6SpendingTheAttemptAndTheSameCourse(Backend backend) {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        try (WorkerFixture worker = worker(backend, cli, Map.of()).start()) {
            Path repository = worker.repository("sample");
            // why: after the first tutorial, so the retry must not ask for it again
            cli.failAt(6, 1, "rate-limit");
            String id = worker.submit(repository, null, "");

            JobSnapshot failed = awaitRetryScheduled(worker, id);
            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(worker.queue().checkpoint(id))
                    .as("the finished steps are checkpointed")
                    .isPresent();

            retryIsDue(backend, worker, failed);
            JobSnapshot done = awaitTerminal(worker, id);
            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(done.attempts())
                    .as("the failure spent its attempt, as before")
                    .isEqualTo(2);
            List<FondationCliFixture.Run> runs = cli.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0).requests())
                    .as("the first run wrote a tutorial")
                    .anyMatch(f -> f.startsWith("tutorials/"));
            assertThat(runs.get(1).steps()).as("the retry runs only step 6").containsExactly(6);
            assertThat(runs.get(1).requests())
                    .as("no request for a checkpointed file")
                    .isNotEmpty()
                    .allMatch(file -> file.startsWith("tutorials/"))
                    .doesNotContainAnyElementsOf(runs.get(0).requests());
            assertThat(done.result().details()).containsEntry("resumed_at_step", 6);
            assertThat(worker.queue().checkpoint(id))
                    .as("a completed job keeps no checkpoint")
                    .isEmpty();

            // an uninterrupted run of the same repository, for the byte-identical course
            String whole = worker.submit(repository, null, "");
            assertThat(awaitTerminal(worker, whole).status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(cli.runs().get(2).steps()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(contents(worker, id)).isEqualTo(contents(worker, whole));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWorkerStoppedDuringStep4LeavesItsChaptersAndTheNextWorkerWritesOnlyTheMissingOnes(Backend backend) {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        String id;
        String firstChapter;
        try (WorkerFixture first = worker(backend, cli, Map.of()).start()) {
            cli.pauseAt(4, 1);
            id = first.submit(first.repository("sample"), null, "");
            cli.awaitPaused(TIMEOUT);
            await("the first chapter is checkpointed")
                    .atMost(TIMEOUT)
                    .until(() -> first.queue()
                            .checkpoint(id)
                            .map(c -> c.files().stream().anyMatch(f -> f.path().startsWith("chapters/")))
                            .orElse(false));
            firstChapter = first.queue().checkpoint(id).orElseThrow().files().stream()
                    .map(f -> f.path())
                    .filter(path -> path.startsWith("chapters/"))
                    .findFirst()
                    .orElseThrow();
        } // the worker stops as on SIGTERM: the analyzer is killed, the job released
        try (WorkerFixture second = worker(backend, cli, Map.of()).start()) {
            JobSnapshot done = awaitTerminal(second, id);
            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            // why: read at the end, not as the second worker starts (it may have claimed by then): the release gave
            // the first attempt back, so the completing claim is the first attempt counted
            assertThat(done.attempts()).as("a release spends no attempt").isEqualTo(1);
            FondationCliFixture.Run resumed = cli.runs().get(cli.runs().size() - 1);
            assertThat(resumed.steps()).containsExactly(4, 5, 6);
            assertThat(resumed.skipped()).contains(firstChapter);
            assertThat(resumed.requests())
                    .as("only the missing chapters are written")
                    .doesNotContain(firstChapter)
                    .anyMatch(file -> file.startsWith("chapters/"));
        }
    }

    /**
     * Test 5, the branch moved on by a new commit: the checkpoint's commit is still in the origin, so the retry fetches
     * it alone and resumes there (steps 5 and 6), instead of analysing the new head from the start.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBranchThatMovedOnBetweenAttemptsStillResumesOnTheCheckpointsCommit(Backend backend) throws Exception {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        try (WorkerFixture worker = worker(backend, cli, Map.of()).start()) {
            Path repository = worker.repository("sample");
            String analysed = git(repository, "rev-parse", "HEAD");
            cli.failAt(5, 1, "rate-limit");
            String id = worker.submit(repository, null, "");
            JobSnapshot failed = awaitRetryScheduled(worker, id);

            try (Git origin = Git.open(repository.toFile())) {
                TestRepositories.write(repository, "src/later.py", "LATER = 1\n");
                TestRepositories.commit(origin, "a commit pushed between the attempts");
            }
            assertThat(git(repository, "rev-parse", "HEAD")).isNotEqualTo(analysed);
            retryIsDue(backend, worker, failed);
            JobSnapshot done = awaitTerminal(worker, id);

            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(cli.runs()).hasSize(2);
            assertThat(cli.runs().get(1).steps())
                    .as("the retry resumed on the checkpoint's commit")
                    .containsExactly(5, 6);
            assertThat(done.result().details()).containsEntry("resumed_at_step", 5);
        }
    }

    /**
     * Test 5, a checkpoint made from another commit: the branch was force-pushed past the checkpoint's commit and the
     * origin no longer has it (its reflog expired, gc pruned it), so the retry clones the new head, says
     * "checkpoint ignored: commit ... is not ..." on the row and runs all six steps.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCheckpointOfACommitTheOriginNoLongerHasIsIgnoredAndEveryStepRuns(Backend backend) throws Exception {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        try (WorkerFixture worker = worker(backend, cli, Map.of()).start()) {
            Path repository = worker.repository("sample");
            String analysed = git(repository, "rev-parse", "HEAD");
            cli.failAt(5, 1, "rate-limit");
            String id = worker.submit(repository, null, "");
            JobSnapshot failed = awaitRetryScheduled(worker, id);

            // a force-push: trunk rewritten from its parent, the analysed commit left unreachable and pruned
            git(repository, "reset", "--quiet", "--hard", "HEAD~1");
            try (Git origin = Git.open(repository.toFile())) {
                TestRepositories.write(repository, "src/rewritten.py", "REWRITTEN = 1\n");
                TestRepositories.commit(origin, "trunk rewritten");
            }
            String head = git(repository, "rev-parse", "HEAD");
            git(repository, "reflog", "expire", "--expire=now", "--all");
            git(repository, "gc", "--quiet", "--prune=now");
            assertThat(gitExit(repository, "cat-file", "-e", analysed + "^{commit}"))
                    .as("the origin no longer has the checkpoint's commit")
                    .isNotZero();
            retryIsDue(backend, worker, failed);
            JobSnapshot done = awaitTerminal(worker, id);

            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(worker.listener.progressOf(id))
                    .extracting(Progress::message)
                    .contains("checkpoint ignored: commit " + analysed.substring(0, 12) + " (checkpoint) is not "
                            + head.substring(0, 12) + "; runs from step 1/6");
            assertThat(cli.runs()).hasSize(2);
            assertThat(cli.runs().get(1).steps()).as("a full run").containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(cli.runs().get(1).skipped())
                    .as("no file of the checkpoint restored")
                    .isEmpty();
            assertThat(done.result().details()).doesNotContainKey("resumed_at_step");
        }
    }

    /**
     * Test 5, another model: the second worker runs the CLI with another profile (CLI_PROFILE, which chooses the
     * Fondation CLI's models), so the first worker's checkpoint is ignored, said so on the row, and all six steps run.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCheckpointOfAnotherModelIsIgnoredByTheNextWorkerAndEveryStepRuns(Backend backend) {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        String id;
        JobSnapshot failed;
        try (WorkerFixture first =
                worker(backend, cli, Map.of("CLI_PROFILE", "production")).start()) {
            cli.failAt(5, 1, "rate-limit");
            id = first.submit(first.repository("sample"), null, "");
            failed = awaitRetryScheduled(first, id);
            assertThat(first.queue().checkpoint(id)).isPresent();
        }
        try (WorkerFixture second = worker(backend, cli, Map.of("CLI_PROFILE", "development"))) {
            retryIsDue(backend, second, failed);
            second.start();
            JobSnapshot done = awaitTerminal(second, id);

            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(second.listener.progressOf(id))
                    .extracting(Progress::message)
                    .contains("checkpoint ignored: model production (checkpoint) is not development;"
                            + " runs from step 1/6");
            assertThat(cli.runs()).hasSize(2);
            assertThat(cli.runs().get(1).steps()).as("a full run").containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(cli.runs().get(1).skipped())
                    .as("no file of the checkpoint restored")
                    .isEmpty();
            assertThat(done.result().details()).doesNotContainKey("resumed_at_step");
        }
    }

    /**
     * A worker (not started) under this test's folder that runs the Fondation-CLI fixture, with {@code extra}
     * settings, on {@code backend}: the embedded file under that folder (every worker of the test shares it), or the
     * hardened Convex functions under the local server (local repositories allowed, as the web app's are not, for the
     * sample).
     */
    private WorkerFixture worker(Backend backend, FondationCliFixture cli, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(FondationCliAnalyzer.settings(cli));
        settings.putAll(extra);
        if (backend == Backend.CONVEX) {
            settings.putAll(FondationCliAnalyzer.onConvex(CONVEX.url(), LocalConvexServer.WORKER_SECRET));
        }
        WorkerFixture worker =
                new WorkerFixture(temp.resolve("worker"), settings, FondationCliAnalyzer.environment(cli));
        if (backend == Backend.CONVEX) {
            // why: Convex keeps leases and due times by its own (real) clock; the worker's shows the same time, so its
            // view of a lease and the job's due time agree with the server's
            worker.clock.set(Instant.now());
            assertThat(worker.queue()).isInstanceOf(ConvexJobQueue.class);
        }
        return worker;
    }

    /**
     * Moves the clocks that decide whether {@code failed}'s retry is due past its due time, instead of waiting out the
     * retry's delay (2 min after a rate limit): the worker's, and on Convex the functions' own (which follows the wall
     * clock: moved on by the difference, and a second more so that it is surely past).
     */
    private static void retryIsDue(Backend backend, WorkerFixture worker, JobSnapshot failed) {
        Instant due = failed.runAt();
        if (backend == Backend.CONVEX) {
            Duration ahead = Duration.between(Instant.now(), due).plusSeconds(1);
            if (!ahead.isNegative()) {
                CONVEX.advanceClock(ahead);
            }
            // why: a worker learns the deployment's time from what its subscription pushes, and a jump of the test
            // server's clock (a real one never jumps) changes nothing pushed; a job due tomorrow does, so the worker
            // hears the new time and finds the retry due (that job never runs in the test)
            worker.submit(JobSpec.of(
                            CloneSource.ofUrl(
                                    worker.root.resolve("repos/sample").toString(), null),
                            "")
                    .withRunAt(due.plus(Duration.ofDays(1))));
        }
        worker.clock.set(due);
    }

    private static JobSnapshot awaitRetryScheduled(WorkerFixture worker, String id) {
        await("the first attempt fails at step 5").atMost(TIMEOUT).until(() -> {
            JobSnapshot job = worker.job(id);
            return job.status().isTerminal() || job.status() == JobStatus.PENDING && job.lastError() != null;
        });
        JobSnapshot failed = worker.job(id);
        assertThat(failed.status()).as(String.valueOf(failed.lastError())).isEqualTo(JobStatus.PENDING);
        return failed;
    }

    private static JobSnapshot awaitTerminal(WorkerFixture worker, String id) {
        await("the job ends")
                .atMost(TIMEOUT)
                .until(() -> worker.job(id).status().isTerminal());
        return worker.job(id);
    }

    /** Runs the git command in {@code repository} and returns its output, trimmed; fails the test on an error. */
    private static String git(Path repository, String... args) throws IOException, InterruptedException {
        Process process = gitProcess(repository, args);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("git %s ended", List.of(args))
                .isTrue();
        assertThat(process.exitValue()).as("git %s: %s", List.of(args), output).isZero();
        return output.trim();
    }

    private static int gitExit(Path repository, String... args) throws IOException, InterruptedException {
        Process process = gitProcess(repository, args);
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("git %s ended", List.of(args))
                .isTrue();
        return process.exitValue();
    }

    private static Process gitProcess(Path repository, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repository.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Map<String, String> contents(WorkerFixture worker, String id) {
        Map<String, String> contents = new java.util.TreeMap<>();
        for (Document document : worker.queue().documents(id)) {
            contents.put(document.kind() + ":" + document.title(), document.content());
        }
        return contents;
    }
}
