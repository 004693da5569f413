package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.dryrun.FixtureRepository;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** submit, status and docs against a real embedded queue file. */
class QueueCommandsTest {

    @TempDir
    Path temp;

    CliHarness cli;
    Path db;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(temp);
        db = temp.resolve("queue.db");
    }

    @Test
    void submitPrintsTheIdAndStatusListsTheJobs() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        String local = submit("shop", "--prompt", "Explain it", "--max-attempts", "3");
        String fullName = submit("octo/widgets", "--branch", "release/1.2");
        String url = submit("https://git.example.test/team/app.git");

        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            JobSnapshot localJob = queue.get(local).orElseThrow();
            assertThat(localJob.source().url()).isEqualTo(repo.toString());
            assertThat(localJob.prompt()).isEqualTo("Explain it");
            assertThat(localJob.maxAttempts()).isEqualTo(3);
            assertThat(queue.get(fullName).orElseThrow().source().fullName()).isEqualTo("octo/widgets");
            assertThat(queue.get(fullName).orElseThrow().source().branch()).isEqualTo("release/1.2");
            assertThat(queue.get(url).orElseThrow().source().url()).isEqualTo("https://git.example.test/team/app.git");
        }

        CliHarness.Result table = cli.run(temp, "status", "--db", db.toString());
        assertThat(table.exitCode()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("ID").contains("STATUS", "PROGRESS", "ATTEMPTS", "SOURCE", "LAST ERROR");
        assertThat(lines).hasSize(4);
        assertThat(table.out()).contains(local.substring(0, 8), "octo/widgets (release/1.2)", "0/3", "0/5", "pending");

        CliHarness.Result limited = cli.run(temp, "status", "--db", db.toString(), "--limit", "1");
        assertThat(limited.out().lines()).hasSize(2);
        CliHarness.Result none = cli.run(temp, "status", "--db", db.toString(), "--status", "completed");
        assertThat(none.out()).startsWith("No jobs in status completed in the embedded queue at " + db);
    }

    @Test
    void submitTakesTheUserPriorityAndCostCapAndStatusShowsWhatTheJobCost() throws Exception {
        String id = submit("octo/widgets", "--user", "team-a", "--priority", "5", "--max-cost-usd", "2");
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            JobSnapshot job = queue.get(id).orElseThrow();
            assertThat(job.user()).isEqualTo("team-a");
            assertThat(job.priority()).isEqualTo(5);
            assertThat(job.maxCostUsd()).isEqualByComparingTo("2");
            ClaimedJob claimed =
                    queue.claimOne("worker-test", Duration.ofMinutes(5)).orElseThrow();
            assertThat(claimed.claimTerms().orElseThrow().budgetUsd()).isEqualByComparingTo("2");
            queue.retryOrFail(
                    claimed.lease(),
                    JobFailure.of(FailureKind.TRANSIENT, "flaky"),
                    null,
                    new java.math.BigDecimal("0.4"));
        }
        CliHarness.Result detail = cli.run(temp, "status", id, "--db", db.toString());
        assertThat(detail.out()).contains("User:", "team-a (priority 5)", "Cost:", "$0.40 of $2.00");
        JsonNode json = new ObjectMapper()
                .readTree(cli.run(temp, "status", id, "--json", "--db", db.toString())
                        .out());
        assertThat(json.get("costUsd").decimalValue()).isEqualByComparingTo("0.4");
        assertThat(json.get("user").asText()).isEqualTo("team-a");

        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            queue.recordPause(
                    "worker-test",
                    "sha256:0123456789abcdef0123456789abcdef",
                    io.fondation.shared.LlmLimitKind.RATE_LIMIT,
                    Duration.ofMinutes(10));
        }
        assertThat(cli.run(temp, "status", "--db", db.toString()).out())
                .contains(
                        "LLM credential sha256:0123456789abcdef0123456789abcdef paused (rate_limit, 1 in a row) until");

        CliHarness.Result bad = cli.run(temp, "submit", "octo/widgets", "--priority", "5000", "--db", db.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--priority: priority must be from -1000 to 1000");
    }

    @Test
    void statusOfOneJobShowsEveryFieldAndTheFullLastError() throws Exception {
        String id = submit("octo/widgets", "--max-attempts", "2");
        String error = "clone failed: remote hung up\nfatal: early EOF\nsecond line of detail";
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            ClaimedJob claimed =
                    queue.claimOne("worker-test", Duration.ofMinutes(5)).orElseThrow();
            queue.heartbeat(
                    claimed.lease(),
                    JobStatus.ANALYZING,
                    new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants"),
                    Duration.ofMinutes(5));
            queue.retryOrFail(claimed.lease(), JobFailure.of(FailureKind.TRANSIENT, error));
        }
        CliHarness.Result table = cli.run(temp, "status", "--db", db.toString());
        assertThat(table.out())
                .contains("clone failed: remote hung up …")
                .doesNotContain("early EOF")
                .contains("1/2");

        CliHarness.Result detail = cli.run(temp, "status", id.substring(0, 8), "--db", db.toString());
        assertThat(detail.exitCode()).isZero();
        assertThat(detail.out())
                .contains(
                        "Job:",
                        id,
                        "Status:",
                        "pending",
                        "Source:",
                        "octo/widgets",
                        "Attempts:",
                        "1/2",
                        "Progress:",
                        "2/6 Analyse des relations entre composants",
                        "Last error:\n  clone failed: remote hung up\n  fatal: early EOF\n  second line of detail\n");

        CliHarness.Result json = cli.run(temp, "status", id, "--json", "--db", db.toString());
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("id").asText()).isEqualTo(id);
        assertThat(node.get("status").asText()).isEqualTo("pending");
        assertThat(node.get("attempts").asInt()).isEqualTo(1);
        assertThat(node.get("lastError").asText()).isEqualTo(error);
        assertThat(node.get("source").get("fullName").asText()).isEqualTo("octo/widgets");
        assertThat(node.get("progress").get("step").asInt()).isEqualTo(2);

        JsonNode list = new ObjectMapper()
                .readTree(
                        cli.run(temp, "status", "--json", "--db", db.toString()).out());
        assertThat(list.isArray()).isTrue();
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void anUnknownJobIsReportedWithExitOne() {
        submit("octo/widgets");
        CliHarness.Result status = cli.run(temp, "status", "nope-0000", "--db", db.toString());
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err())
                .isEqualTo("fondation-worker: no job 'nope-0000' in the embedded queue at " + db + "\n");
        assertThat(cli.run(temp, "docs", "nope-0000", "--db", db.toString()).exitCode())
                .isEqualTo(1);
    }

    @Test
    void docsWritesTheDocumentsAtTheirSlugs() throws Exception {
        String id = submit("octo/widgets");
        complete(
                id,
                List.of(
                        new Document(
                                "step1_abstractions.yaml",
                                "Abstractions",
                                null,
                                DocumentKind.YAML,
                                "[{\"name\":\"Core\"}]"),
                        new Document(
                                "chapters/chapter_1_core.md",
                                "Chapter 1: Core",
                                1,
                                DocumentKind.CHAPTER,
                                "# Chapter 1: Core\n"),
                        new Document(
                                "tutorials/tutorial_1_core.md",
                                "Tutorial: Core",
                                1,
                                DocumentKind.TUTORIAL,
                                "# Interactive Tutorial: Core\n")));

        Path out = temp.resolve("docs-out");
        CliHarness.Result result = cli.run(temp, "docs", id, "--out", out.toString(), "--db", db.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("Wrote 3 documents to " + out + "\n");
        assertThat(out.resolve("chapters/chapter_1_core.md")).hasContent("# Chapter 1: Core\n");
        assertThat(out.resolve("tutorials/tutorial_1_core.md")).hasContent("# Interactive Tutorial: Core\n");
        assertThat(out.resolve("step1_abstractions.yaml")).hasContent("[{\"name\":\"Core\"}]");

        CliHarness.Result byDefault = cli.run(temp, "docs", id.substring(0, 8), "--db", db.toString());
        assertThat(byDefault.exitCode()).isZero();
        assertThat(temp.resolve("fondation-output").resolve(id).resolve("chapters/chapter_1_core.md"))
                .exists();
    }

    @Test
    void docsRefusesSlugsThatLeaveTheDirectoryAndWritesNothing() throws Exception {
        String id = submit("octo/widgets");
        complete(
                id,
                List.of(
                        new Document("chapters/chapter_1_ok.md", "ok", 1, DocumentKind.CHAPTER, "# ok\n"),
                        new Document("../escaped.md", "bad", 2, DocumentKind.CHAPTER, "# bad\n")));
        Path out = temp.resolve("safe");
        CliHarness.Result result = cli.run(temp, "docs", id, "--out", out.toString(), "--db", db.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("fondation-worker: refusing to write document '../escaped.md': it climbs out with '..'\n");
        assertThat(temp.resolve("escaped.md")).doesNotExist();
        assertThat(out.resolve("chapters/chapter_1_ok.md")).doesNotExist();
    }

    @Test
    void docsOfAJobWithoutDocumentsSaysSo() {
        String id = submit("octo/widgets");
        CliHarness.Result result = cli.run(temp, "docs", id, "--db", db.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("fondation-worker: job " + id
                        + " has no documents (status: pending; only a completed job has a course)\n");
        assertThat(Files.exists(temp.resolve("fondation-output"))).isFalse();
    }

    private String submit(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "submit";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--db";
        all[args.length + 2] = db.toString();
        CliHarness.Result result = cli.run(temp, all);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).matches("[0-9a-f-]{36}\n");
        assertThat(result.err()).startsWith("Queued ");
        return result.out().strip();
    }

    private void complete(String id, List<Document> documents) {
        try (SqliteJobQueue queue = SqliteJobQueue.open(db, Clock.systemUTC())) {
            ClaimedJob claimed =
                    queue.claimOne("worker-test", Duration.ofMinutes(5)).orElseThrow();
            assertThat(claimed.id()).isEqualTo(id);
            queue.complete(claimed.lease(), new Completion(JobResult.of("done", documents.size()), documents, null));
        }
    }
}
