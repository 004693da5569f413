package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.process.ProcessTree;
import io.fondation.dryrun.FixtureRepository;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.worker.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}: the long-running worker, stopped by a stop request in-process and by a real SIGTERM. */
@Tag("slow")
class RunCommandTest {

    @TempDir
    Path temp;

    @Test
    void runProcessesSubmittedJobsUntilStoppedThenExitsZero() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        Path db = temp.resolve("q.db");
        CliHarness cli = new CliHarness(temp);
        CompletableFuture<CliHarness.Result> run = CompletableFuture.supplyAsync(() -> cli.run(
                temp,
                "run",
                "--dry-run",
                "--db",
                db.toString(),
                "--poll-interval",
                "50",
                "--health-port",
                "-1",
                "--worker-id",
                "run-test"));
        await().atMost(Duration.ofSeconds(20)).until(cli.stop::registered);

        CliHarness.Result submitted = cli.run(temp, "submit", repo.toString(), "--db", db.toString());
        String id = submitted.out().strip();
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> queue.get(id).map(JobSnapshot::status),
                            s -> s.equals(Optional.of(JobStatus.COMPLETED)));
            assertThat(queue.documents(id)).isNotEmpty();
        }
        assertThat(run).isNotDone();
        cli.stop.trigger();
        CliHarness.Result result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEmpty(); // run logs to stderr only
    }

    @Test
    void sigtermReleasesTheInFlightJobAndExitsZero() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        Path db = temp.resolve("q.db");
        String id;
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            id = queue.enqueue(JobSpec.of(CloneSource.ofUrl(repo.toString(), null), ""));
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--analyzer-command",
                "[\"sleep\",\"120\"]",
                "--db",
                db.toString(),
                "--poll-interval",
                "50",
                "--health-port",
                "-1",
                "--temp-dir",
                temp.resolve("work").toString()));
        Path log = temp.resolve("worker.log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HOME", temp.toString());
        builder.environment().put("LOG_LEVEL", "INFO");
        Process worker = builder.start();
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> queue.get(id).map(JobSnapshot::status),
                            s -> s.equals(Optional.of(JobStatus.ANALYZING)));

            await().atMost(Duration.ofSeconds(30))
                    .alias("the analyzer runs as a child of the worker")
                    .until(() -> worker.descendants().findAny().isPresent());
            List<ProcessHandle> analyzers = worker.descendants().toList();

            worker.destroy(); // SIGTERM
            assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> analyzers.stream().noneMatch(ProcessTree::isRunning));

            assertThat(worker.exitValue()).as(Files.readString(log)).isZero();
            JobSnapshot job = queue.get(id).orElseThrow();
            assertThat(job.status()).isEqualTo(JobStatus.PENDING);
            assertThat(job.attempts()).isZero();
            assertThat(job.lockedBy()).isNull();
        } finally {
            worker.destroyForcibly();
        }
        assertThat(Files.readString(log))
                .contains("SIGTERM received: stopping")
                .contains("Worker ")
                .contains(" stopped");
    }
}
