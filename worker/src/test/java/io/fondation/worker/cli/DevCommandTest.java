package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.dryrun.FixtureRepository;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev} end to end, in-process: a real git repository, the embedded SQLite queue, the worker
 * cloning with JGit and running the dry-run analyzer as a child JVM; then {@code status} and
 * {@code docs} on the same queue file.
 */
@Tag("slow")
class DevCommandTest {

    private static final Pattern JOB_ID = Pattern.compile("\\(job id ([0-9a-f-]{36})\\)");

    @TempDir
    Path temp;

    @Test
    void devDryRunAnalysesTheRepositoryAndWritesTheDocuments() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        Path db = temp.resolve("q.db");
        Path out = temp.resolve("out");
        CliHarness cli = new CliHarness(temp);

        CliHarness.Result dev =
                cli.run(temp, "dev", "--dry-run", repo.toString(), "--db", db.toString(), "--out", out.toString());

        assertThat(dev.exitCode())
                .as("stdout:\n%s\nstderr:\n%s", dev.out(), dev.err())
                .isZero();
        String id = jobId(dev.out());
        String tag = "[job " + id.substring(0, 8) + "] ";
        List<String> lines = dev.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo(tag + "queued " + repo + " (job id " + id + ")");
        assertThat(lines.get(1)).startsWith("Queue: " + db + ", shared: its pending jobs run here too");
        assertThat(lines)
                .anyMatch(l -> l.startsWith(tag + "cloning: "))
                .anyMatch(l -> l.startsWith(tag + "analyzing: "));
        for (int step = 1; step <= 6; step++) {
            String prefix = tag + step + "/6 ";
            assertThat(lines).as("step %d", step).anyMatch(l -> l.startsWith(prefix));
        }
        assertThat(lines).anyMatch(l -> l.startsWith(tag + "2/6 Analyse des relations entre composants"));
        Path jobOut = out.resolve(id);
        assertThat(lines).anyMatch(l -> l.startsWith(tag + "completed in attempt 1/5: Analysis complete: "));
        assertThat(lines).contains(tag + countFiles(jobOut) + " documents written to " + jobOut);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("Done: 1 job completed.");

        assertThat(jobOut.resolve("step1_abstractions.yaml")).exists();
        assertThat(jobOut.resolve("chapters/chapter_1_project_root.md"))
                .content()
                .startsWith("# Chapter 1: Project Root");
        assertThat(jobOut.resolve("tutorials/tutorial_1_project_root.md"))
                .content()
                .startsWith("# Interactive Tutorial: Project Root");
        assertThat(Files.readString(jobOut.resolve("step2_relationships.yaml"))).contains("fondation-dry-run (no LLM)");

        CliHarness.Result status = cli.run(temp, "status", "--db", db.toString());
        assertThat(status.out().lines().toList().get(1))
                .startsWith(id.substring(0, 8) + "  completed")
                .contains("Analysis complete: " + countFiles(jobOut) + " documents");
        CliHarness.Result detail = cli.run(temp, "status", id, "--db", db.toString());
        assertThat(detail.out())
                .contains(
                        "Status:", "completed", "Documents:", String.valueOf(countFiles(jobOut)), "Last error: (none)");

        Path again = temp.resolve("again");
        CliHarness.Result docs = cli.run(temp, "docs", id, "--out", again.toString(), "--db", db.toString());
        assertThat(docs.exitCode()).isZero();
        assertThat(docs.out()).isEqualTo("Wrote " + countFiles(jobOut) + " documents to " + again + "\n");
        assertThat(again.resolve("reviewed-chapters/chapter_1_project_root.md")).exists();
    }

    @Test
    void devRunsOnlyItsOwnJobsAndLeavesAnotherSubmitsJobPending() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        CliHarness cli = new CliHarness(temp);
        CliHarness.Result submitted = cli.run(temp, "submit", "owner/waiting");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();

        CliHarness.Result dev = cli.run(
                temp,
                "dev",
                "--dry-run",
                repo.toString(),
                "--out",
                temp.resolve("out").toString());

        assertThat(dev.exitCode()).as(dev.out() + dev.err()).isZero();
        assertThat(dev.out()).contains("Queue: this run's own (").contains("Done: 1 job completed.");
        Matcher own = Pattern.compile("Queue: this run's own \\((.*queue\\.db), removed at exit\\)")
                .matcher(dev.out());
        assertThat(own.find()).as(dev.out()).isTrue();
        assertThat(Path.of(own.group(1)))
                .as("dev's own queue is removed at exit")
                .doesNotExist();
        CliHarness.Result status = cli.run(temp, "status", "--json");
        assertThat(status.out()).contains("owner/waiting").contains("\"status\" : \"pending\"");
        assertThat(status.out()).doesNotContain(repo.toString());
    }

    @Test
    void aJobThatFailsForGoodIsRetriedThenReportedWithExitOne() throws Exception {
        Path repo = FixtureRepository.empty(temp.resolve("empty"));
        Path db = temp.resolve("q.db");
        CliHarness cli = new CliHarness(temp);

        CliHarness.Result dev = cli.run(
                temp,
                "dev",
                "--dry-run",
                repo.toString(),
                "--db",
                db.toString(),
                "--out",
                temp.resolve("out").toString(),
                "--max-attempts",
                "2");

        assertThat(dev.exitCode())
                .as("stdout:\n%s\nstderr:\n%s", dev.out(), dev.err())
                .isEqualTo(1);
        String id = jobId(dev.out());
        String tag = "[job " + id.substring(0, 8) + "] ";
        assertThat(dev.out())
                .contains(tag + "attempt 1/2 failed (ANALYZER_FAILED): ")
                .contains("; retrying at ")
                .contains(tag + "dead: attempt 2/2 failed (ANALYZER_FAILED) and no attempt is left: ")
                .contains("Done: 0 of 1 jobs completed; see the errors above.");
        assertThat(dev.err())
                .startsWith("fondation-worker: job " + id + " (" + repo + ") dead after 2/2 attempts: ")
                .contains("no text files to analyse");
        assertThat(temp.resolve("out").resolve(id)).doesNotExist();
    }

    @Test
    void aBranchThatDoesNotExistFailsAtOnceWithItsNameInTheErrorAndInStatus() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("repo"));
        Path db = temp.resolve("q.db");
        CliHarness cli = new CliHarness(temp);

        CliHarness.Result dev = cli.run(
                temp,
                "dev",
                "--dry-run",
                repo.toString(),
                "--branch",
                "no-such-branch",
                "--db",
                db.toString(),
                "--out",
                temp.resolve("out").toString());

        assertThat(dev.exitCode())
                .as("stdout:\n%s\nstderr:\n%s", dev.out(), dev.err())
                .isEqualTo(1);
        String id = jobId(dev.out());
        assertThat(dev.err()).contains("no-such-branch").doesNotContain("Exception");
        CliHarness.Result status = cli.run(temp, "status", "--db", db.toString());
        String row = status.out().lines().toList().get(1);
        assertThat(row)
                .startsWith(id.substring(0, 8) + "  failed")
                .contains("1/5")
                .contains("no-such-branch");
    }

    @Test
    void ctrlCReleasesTheRunningJobAndExits130() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        Path db = temp.resolve("q.db");
        CliHarness cli = new CliHarness(temp);
        // An analyzer that runs until it is stopped.
        CompletableFuture<CliHarness.Result> dev = CompletableFuture.supplyAsync(() -> cli.run(
                temp,
                "dev",
                repo.toString(),
                "--analyzer-command",
                "[\"sleep\",\"120\"]",
                "--db",
                db.toString(),
                "--health-port",
                "0"));

        await().atMost(Duration.ofSeconds(30)).until(() -> cli.out.toString().contains("] analyzing"));
        // --health-port turns the health server on, on the loopback address, while the job runs.
        Matcher health = Pattern.compile("health on (http://127\\.0\\.0\\.1:\\d+/health)")
                .matcher(cli.out.toString());
        assertThat(health.find()).as(cli.out.toString()).isTrue();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(health.group(1)))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"activeJobs\":1");
        assertThat(cli.stop.registered()).isTrue();
        cli.stop.trigger();

        CliHarness.Result result = dev.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCodes.INTERRUPTED);
        assertThat(result.out())
                .contains("released without spending an attempt (the worker is shutting down)")
                .contains("Stopped before the jobs ended; unfinished jobs were released back to the queue.");
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            JobSnapshot job = queue.get(jobId(result.out())).orElseThrow();
            assertThat(job.status()).isEqualTo(JobStatus.PENDING);
            assertThat(job.attempts()).isZero();
            assertThat(job.lockedBy()).isNull();
        }
    }

    private static String jobId(String out) {
        Matcher matcher = JOB_ID.matcher(out);
        assertThat(matcher.find()).as("a job id in:\n%s", out).isTrue();
        return matcher.group(1);
    }

    private static long countFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
