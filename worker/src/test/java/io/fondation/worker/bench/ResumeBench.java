package io.fondation.worker.bench;

import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.FondationCliAnalyzer;
import io.fondation.worker.e2e.WorkerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the next attempt costs after a failure in step k (issue 23's benchmark): a real worker on the embedded queue
 * runs the Fondation-CLI fixture (which honours {@code --steps}, skips existing chapter files as the real CLI does and
 * logs each step and each request it would make to the model); the fixture fails (rate limited) before the first
 * request of step k, and the retry's steps and requests are counted from its log, against an uninterrupted run's.
 */
final class ResumeBench {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /**
     * One failure.
     *
     * @param failedStep the step the first attempt failed in
     * @param steps the steps the next attempt ran
     * @param requests the model requests the next attempt made
     * @param requestsForCheckpointed of those, the requests for a file the checkpoint held (the target is 0)
     * @param wholeSteps the steps of an uninterrupted run (what every retry ran before resuming)
     * @param wholeRequests the requests of an uninterrupted run
     * @param filesKept the files the checkpoint held when the retry began
     */
    record Row(
            int failedStep,
            List<Integer> steps,
            int requests,
            int requestsForCheckpointed,
            int wholeSteps,
            int wholeRequests,
            int filesKept) {}

    private final Path root;

    ResumeBench(Path root) {
        this.root = root;
    }

    /** A failure in each step 1 to 6, each in a worker of its own. */
    List<Row> run() {
        List<Row> rows = new ArrayList<>();
        for (int k = 1; k <= 6; k++) {
            rows.add(failIn(k));
        }
        return rows;
    }

    private Row failIn(int k) {
        Path dir = root.resolve("resume-step-" + k);
        FondationCliFixture cli = FondationCliFixture.install(dir.resolve("cli"));
        Map<String, String> analyzerEnvironment = FondationCliAnalyzer.environment(cli);
        Map<String, String> overrides = FondationCliAnalyzer.settings(cli);
        try (WorkerFixture worker = new WorkerFixture(dir.resolve("worker"), overrides, analyzerEnvironment).start()) {
            Path repository = worker.repository("sample");
            cli.failAt(k, 0, "rate-limit");
            String id = worker.submit(repository, null, "");
            await().atMost(TIMEOUT).until(() -> {
                JobSnapshot job = worker.job(id);
                return job.status().isTerminal() || job.status() == JobStatus.PENDING && job.lastError() != null;
            });
            JobSnapshot failed = worker.job(id);
            if (failed.status() != JobStatus.PENDING) {
                throw new IllegalStateException("step " + k + ": the first attempt ended " + failed.status());
            }
            Set<String> kept = worker.queue()
                    .checkpoint(id)
                    .map(c -> c.files().stream().map(f -> f.path()).collect(Collectors.toSet()))
                    .orElse(Set.of());
            worker.clock.set(failed.runAt());
            await().atMost(TIMEOUT).until(() -> worker.job(id).status().isTerminal());
            if (worker.job(id).status() != JobStatus.COMPLETED) {
                throw new IllegalStateException(
                        "step " + k + ": the retry ended " + worker.job(id).lastError());
            }
            String whole = worker.submit(repository, null, "");
            await().atMost(TIMEOUT).until(() -> worker.job(whole).status().isTerminal());
            List<FondationCliFixture.Run> runs = cli.runs();
            FondationCliFixture.Run retry = runs.get(1);
            FondationCliFixture.Run uninterrupted = runs.get(2);
            int checkpointed =
                    (int) retry.requests().stream().filter(kept::contains).count();
            return new Row(
                    k,
                    retry.steps(),
                    retry.requests().size(),
                    checkpointed,
                    uninterrupted.steps().size(),
                    uninterrupted.requests().size(),
                    kept.size());
        }
    }
}
