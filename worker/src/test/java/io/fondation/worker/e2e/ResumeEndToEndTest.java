package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume instead of rerun (issue 23), end to end in one JVM with real processes: a worker on the embedded SQLite queue
 * clones a real repository with git and runs the Fondation-CLI fixture (which honours {@code --steps} and skips
 * existing chapter files as the real CLI does, and logs each step and request) in its sandbox. A rate-limited failure
 * at step 5 spends the attempt; the retry clones the same commit, restores the checkpoint and runs only steps 5 and 6,
 * and the course it completes is byte-identical to an uninterrupted run's.
 */
class ResumeEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @Test
    void aFailureAtStep5IsRetriedWithOnlySteps5And6AndTheSameCourse() {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        Map<String, String> analyzerEnvironment = FondationCliAnalyzer.environment(cli);
        Map<String, String> overrides = FondationCliAnalyzer.settings(cli);
        try (WorkerFixture worker = new WorkerFixture(temp.resolve("worker"), overrides, analyzerEnvironment).start()) {
            Path repository = worker.repository("sample");
            cli.failAt(5, 1, "rate-limit");
            String id = worker.submit(repository, null, "");

            await("the first attempt fails at step 5").atMost(TIMEOUT).until(() -> {
                JobSnapshot job = worker.job(id);
                return job.status().isTerminal() || job.status() == JobStatus.PENDING && job.lastError() != null;
            });
            JobSnapshot failed = worker.job(id);
            assertThat(failed.status()).as(String.valueOf(failed.lastError())).isEqualTo(JobStatus.PENDING);
            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(worker.queue().checkpoint(id))
                    .as("the finished steps are checkpointed")
                    .isPresent();

            worker.clock.set(failed.runAt());
            await("the retry completes")
                    .atMost(TIMEOUT)
                    .until(() -> worker.job(id).status().isTerminal());

            JobSnapshot done = worker.job(id);
            assertThat(done.status()).as(String.valueOf(done.lastError())).isEqualTo(JobStatus.COMPLETED);
            assertThat(done.attempts()).as("the failure spent its attempt").isEqualTo(2);
            List<FondationCliFixture.Run> runs = cli.runs();
            assertThat(runs).hasSize(2);
            assertThat(runs.get(1).steps())
                    .as("the retry runs only steps 5 and 6")
                    .containsExactly(5, 6);
            assertThat(runs.get(1).requests())
                    .as("no request for a checkpointed file")
                    .allMatch(file -> file.startsWith("reviewed-chapters/") || file.startsWith("tutorials/"))
                    .doesNotContainAnyElementsOf(runs.get(0).requests().stream()
                            .filter(file -> file.startsWith("reviewed-chapters/"))
                            .toList());
            assertThat(done.result().details()).containsEntry("resumed_at_step", 5);
            assertThat(worker.queue().checkpoint(id))
                    .as("a completed job keeps no checkpoint")
                    .isEmpty();

            // an uninterrupted run of the same repository, for the byte-identical course
            String whole = worker.submit(repository, null, "");
            await("the uninterrupted run completes")
                    .atMost(TIMEOUT)
                    .until(() -> worker.job(whole).status().isTerminal());
            assertThat(worker.job(whole).status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(cli.runs().get(2).steps()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(contents(worker, id)).isEqualTo(contents(worker, whole));
        }
    }

    @Test
    void aWorkerStoppedDuringStep4LeavesItsChaptersAndTheNextWorkerWritesOnlyTheMissingOnes() {
        FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
        Map<String, String> analyzerEnvironment = FondationCliAnalyzer.environment(cli);
        Map<String, String> overrides = FondationCliAnalyzer.settings(cli);
        Path root = temp.resolve("worker");
        String id;
        String firstChapter;
        try (WorkerFixture first = new WorkerFixture(root, overrides, analyzerEnvironment).start()) {
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
        try (WorkerFixture second = new WorkerFixture(root, overrides, analyzerEnvironment).start()) {
            await("the next worker completes the job")
                    .atMost(TIMEOUT)
                    .until(() -> second.job(id).status().isTerminal());
            JobSnapshot done = second.job(id);
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

    private static Map<String, String> contents(WorkerFixture worker, String id) {
        Map<String, String> contents = new java.util.TreeMap<>();
        for (Document document : worker.queue().documents(id)) {
            contents.put(document.kind() + ":" + document.title(), document.content());
        }
        return contents;
    }
}
