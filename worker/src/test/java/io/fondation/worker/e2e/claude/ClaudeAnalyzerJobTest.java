package io.fondation.worker.e2e.claude;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static io.fondation.worker.e2e.claude.ClaudeWorld.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.claude.ClaudeCodeCommand;
import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.RecordedRequest;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.metrics.WorkerMetrics;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.WorkerFixture;
import io.fondation.worker.testing.SuiteSharing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A job through a real worker on the embedded queue with the real Claude Code CLI as its analyzer, in the sandbox,
 * against the scripted Messages API: the files the model writes become the job's documents, the steps reach the job
 * row as N/6, the result carries the run's turns, tokens and cost and the metrics count them, and the credential
 * appears nowhere: not in the log, a process's arguments, the queue's file, the job or an error.
 */
@Tag("slow")
// why alone and last: it looks at every process this JVM started, which a concurrent class's would join (SuiteSharing)
@ResourceLock(SuiteSharing.MACHINE)
@Order(SuiteSharing.LAST)
class ClaudeAnalyzerJobTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void aCourseWrittenByTheRealCliBecomesTheJobsDocumentsWithItsProgressCostAndTurns() throws Exception {
        List<CountDownLatch> gates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gates.add(new CountDownLatch(1));
        }
        try (ClaudeWorld world = new ClaudeWorld(temp, new ScriptedCourse(gates))) {
            WorkerFixture fixture = world.worker(Map.of()).start();
            String id = fixture.submit(fixture.repository("sample"), null, "Explain this project to a newcomer.");
            long started = System.nanoTime();

            // Each step's files are written only once the job row shows the step before: every N/6 reaches the row.
            Set<Integer> stepsOnTheRow = new TreeSet<>();
            List<String> commandLines = new CopyOnWriteArrayList<>();
            for (int step = 1; step <= 5; step++) {
                int expected = step;
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    commandLines.addAll(ClaudeWorld.liveCommandLines());
                    JobSnapshot row = fixture.job(id);
                    return row.progress() != null && row.progress().step() >= expected;
                });
                JobSnapshot row = fixture.job(id);
                stepsOnTheRow.add(row.progress().step());
                assertThat(row.progress().totalSteps()).isEqualTo(6);
                gates.get(step - 1).countDown();
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fixture.job(id).status().isTerminal()
                            || fixture.listener.lastOutcomeOf(id).isPresent());
            long millis = (System.nanoTime() - started) / 1_000_000;

            JobSnapshot job = fixture.job(id);
            assertThatJob(job)
                    .hasStatus(JobStatus.COMPLETED)
                    .hasAttempts(1)
                    .reachedStep(6)
                    .isNotLeased();
            assertThat(stepsOnTheRow).containsExactly(1, 2, 3, 4, 5);
            assertThat(fixture.listener.progressOf(id))
                    .extracting(p -> p.message())
                    .contains(
                            "Étape 2/6: Analyse des relations entre composants",
                            "Étape 6/6: Génération de tutoriels interactifs");
            List<Document> documents = fixture.queue().documents(id);
            assertThat(documents).extracting(Document::slug).containsExactlyElementsOf(ScriptedCourse.SLUGS);
            assertThat(documents.get(0).kind()).isEqualTo(DocumentKind.YAML);
            assertThat(documents)
                    .filteredOn(d -> d.kind() == DocumentKind.CHAPTER)
                    .extracting(Document::title)
                    .contains("Chapter 1: Entry point", "Reviewed: Chapter 2: Helpers");

            Map<String, Object> details = job.result().details();
            long turns = ((Number) details.get(ClaudeRunSummary.NUM_TURNS)).longValue();
            assertThat(turns).isGreaterThanOrEqualTo(ScriptedCourse.TURNS);
            assertThat(details)
                    .containsEntry(ClaudeRunSummary.MODEL, ClaudeCodeCommand.DEFAULT_MODEL)
                    .containsEntry(ClaudeRunSummary.TERMINAL_REASON, "completed")
                    .containsEntry("documents", ScriptedCourse.SLUGS.size())
                    .containsKeys(
                            ClaudeRunSummary.SESSION_ID,
                            ClaudeRunSummary.DURATION_MS,
                            ClaudeRunSummary.TOTAL_COST_USD,
                            ClaudeRunSummary.INPUT_TOKENS,
                            ClaudeRunSummary.OUTPUT_TOKENS);
            double cost = ((Number) details.get(ClaudeRunSummary.TOTAL_COST_USD)).doubleValue();
            long inputTokens = ((Number) details.get(ClaudeRunSummary.INPUT_TOKENS)).longValue();
            long outputTokens = ((Number) details.get(ClaudeRunSummary.OUTPUT_TOKENS)).longValue();
            long cliMillis = ((Number) details.get(ClaudeRunSummary.DURATION_MS)).longValue();
            assertThat(cost).isPositive();
            assertThat(inputTokens).isEqualTo(ScriptedCourse.TURNS * Turn.INPUT_TOKENS);
            assertThat(outputTokens).isEqualTo(ScriptedCourse.TURNS * Turn.OUTPUT_TOKENS);
            assertThat(world.api.messageRequests())
                    .allSatisfy(r -> assertThat(r.model()).isEqualTo(ClaudeCodeCommand.DEFAULT_MODEL))
                    .allSatisfy(r -> assertThat(r.header("x-api-key")).contains(FAKE_KEY));

            // why: the row turns completed just before the worker reports the attempt's outcome (metrics, then
            // listeners)
            fixture.listener.awaitOutcome(id, AttemptOutcome.Completed.class, Duration.ofSeconds(10));
            Map<String, Number> metrics = fixture.runtime.worker().metrics().snapshot();
            assertThat(metrics)
                    .containsEntry("jobs_succeeded_total", 1L)
                    .containsEntry("analyzer_input_tokens_total", inputTokens)
                    .containsEntry("analyzer_output_tokens_total", outputTokens)
                    .containsEntry("analyzer_turns_total", turns)
                    .containsEntry("analyzer_writes_outside_total", 0L);
            assertThat(metrics.get("analyzer_cost_usd_total").doubleValue()).isEqualTo(cost);
            assertThat(fixture.runtime
                            .worker()
                            .metrics()
                            .registry()
                            .get(WorkerMetrics.ANALYZER_DURATION)
                            .timer()
                            .count())
                    .isEqualTo(1);

            String health = HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + fixture.runtime.healthPort() + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(health)
                    .contains("\"containment\":{\"analyzer\":\"claude\",\"level\":\"sandbox\"")
                    .contains("\"confinesWrites\":true");

            // The credential reached the API, and nothing else.
            assertThat(commandLines).as("the analyzer ran").anyMatch(line -> line.contains("bwrap"));
            assertThat(commandLines).noneMatch(line -> line.contains(FAKE_KEY));
            assertThat(world.logLines()).isNotEmpty().noneMatch(line -> line.contains(FAKE_KEY));
            assertThat(world.filesUnderRoot())
                    .allSatisfy((file, text) -> assertThat(text)
                            .as("%s", file)
                            .doesNotContain(FAKE_KEY)
                            .doesNotContain("fondation-fake-worker-secret"));
            assertThat(job.toString()).doesNotContain(FAKE_KEY);
            assertThat(world.api.messageRequests())
                    .map(RecordedRequest::body)
                    .as("the worker secret is not in the analyzer's environment, so no tool can send it")
                    .noneMatch(body -> body.contains("fondation-fake-worker-secret"));
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.workspaceCount() == 0);
            System.out.printf(
                    "e2e claude: Claude Code %s, a course of %d documents in %d turns, %d + %d tokens, $%.4f;"
                            + " submit to completed %d ms (gated on the row's progress), the CLI's own time %d ms,"
                            + " analyzer process %s ms%n",
                    ClaudeCodeInstallation.version(),
                    documents.size(),
                    turns,
                    inputTokens,
                    outputTokens,
                    cost,
                    millis,
                    cliMillis,
                    details.get(AnalysisRunner.DURATION_MS));
        }
    }

    @Test
    void aWriteOutsideTheOutputDirectoryFailsTheJobAndChangesNothingOutside() throws Exception {
        try (ClaudeWorld world = new ClaudeWorld(temp, null)) {
            Path outside = temp.resolve("outside.md");
            WorkerFixture fixture = world.worker(Map.of());
            Path repository = fixture.repository("sample");
            Map<Path, Integer> before = contents(temp.resolve("repos"));
            world.serve(Scenario.conversation(
                    Turn.tools(
                            ToolCall.write(outside, "# escaped\n"),
                            ToolCall.write(repository.resolve("README.md"), "# overwritten\n"),
                            ToolCall.write("../../escaped.md", "# escaped too\n")),
                    Turn.text("DONE")));
            fixture.start();
            String id = fixture.submit(repository, null, "");

            AttemptOutcome.Failed failed =
                    fixture.listener.awaitOutcome(id, AttemptOutcome.Failed.class, Duration.ofSeconds(90));

            assertThat(failed.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
            assertThat(failed.failure().message()).contains("tried to write outside its output directory");
            assertThatJob(fixture.job(id))
                    .hasStatus(JobStatus.FAILED)
                    .hasLastErrorContaining("outside its output directory");
            assertThat(fixture.queue().documents(id)).isEmpty();
            assertThat(outside).doesNotExist();
            assertThat(contents(temp.resolve("repos"))).isEqualTo(before);
            try (var files = Files.walk(temp)) {
                assertThat(files.filter(p -> p.getFileName().toString().startsWith("escaped")))
                        .isEmpty();
            }
            assertThat(fixture.runtime.worker().metrics().snapshot())
                    .extractingByKey("analyzer_writes_outside_total")
                    .satisfies(count -> assertThat(count.longValue()).isGreaterThanOrEqualTo(1));
        }
    }

    /** Every file under {@code root} with a hash of its bytes (a repository holds binary objects). */
    private static Map<Path, Integer> contents(Path root) throws java.io.IOException {
        Map<Path, Integer> files = new java.util.TreeMap<>();
        try (var all = Files.walk(root)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                files.put(file, java.util.Arrays.hashCode(Files.readAllBytes(file)));
            }
        }
        return files;
    }
}
