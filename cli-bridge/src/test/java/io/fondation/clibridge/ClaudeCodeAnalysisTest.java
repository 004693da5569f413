package io.fondation.clibridge;

import static io.fondation.clibridge.ClaudeCodeWorkspace.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.claude.ClaudeCodeCommand;
import io.fondation.clibridge.claude.ClaudeCredentials;
import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.clibridge.output.OutputTree;
import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.FileSnapshot;
import io.fondation.clibridge.testing.RecordedRequest;
import io.fondation.clibridge.testing.Reply;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.Progress;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI, in the sandbox, against the scripted Messages API: the files its tool
 * calls write become the documents, with N/6 progress and the run's facts; every credential source works.
 */
class ClaudeCodeAnalysisTest {

    @TempDir
    Path dir;

    ClaudeCodeWorkspace workspace;
    ScriptedMessagesApi api;
    final List<Progress> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        workspace = new ClaudeCodeWorkspace(dir);
    }

    @AfterEach
    void tearDown() {
        workspace.close();
    }

    @Test
    void aCourseWrittenByToolCallsBecomesTheDocumentsWithProgressAndFacts() throws Exception {
        Path out = workspace.out;
        Map<Integer, CountDownLatch> reached = new HashMap<>();
        for (int step = 1; step <= 6; step++) {
            reached.put(step, new CountDownLatch(1));
        }
        // why: each turn waits until the step its files start was reported, so every step is seen.
        api = workspace.serve(Scenario.conversation(
                Turn.saying(
                        "Looking around.", ToolCall.glob("**/*"), ToolCall.read(workspace.repo.resolve("README.md"))),
                after(
                        reached,
                        1,
                        Turn.tools(ToolCall.write(out.resolve("step1_abstractions.yaml"), OutputTree.ABSTRACTIONS))),
                after(
                        reached,
                        2,
                        Turn.tools(ToolCall.write(out.resolve("step2_relationships.yaml"), OutputTree.RELATIONSHIPS))),
                after(reached, 3, Turn.tools(ToolCall.write(out.resolve("step3_order.yaml"), OutputTree.ORDER))),
                after(
                        reached,
                        4,
                        Turn.tools(
                                ToolCall.write(
                                        out.resolve("chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n\nText.\n"),
                                ToolCall.write(
                                        out.resolve("chapters/chapter_2_worker.md"),
                                        "# Chapter 2: Worker\n\nText.\n"))),
                Turn.tools(
                        ToolCall.write(
                                out.resolve("reviewed-chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n\nBetter.\n"),
                        ToolCall.write(
                                out.resolve("reviewed-chapters/chapter_2_worker.md"),
                                "# Chapter 2: Worker\n\nBetter.\n")),
                after(
                        reached,
                        5,
                        Turn.tools(ToolCall.write(
                                out.resolve("tutorials/tutorial_1_queue.md"),
                                "# Interactive Tutorial: Queue\n\nTry.\n"))),
                after(reached, 6, Turn.text("DONE"))));
        AnalysisListener listener = new AnalysisListener() {
            @Override
            public void onProgress(Progress p) {
                progress.add(p);
                if (reached.containsKey(p.step())) {
                    reached.get(p.step()).countDown();
                }
            }
        };

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()), listener);

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(report.documents())
                .extracting(Document::slug)
                .containsExactly(
                        "step1_abstractions.yaml",
                        "step2_relationships.yaml",
                        "step3_order.yaml",
                        "chapters/chapter_1_queue.md",
                        "chapters/chapter_2_worker.md",
                        "reviewed-chapters/chapter_1_queue.md",
                        "reviewed-chapters/chapter_2_worker.md",
                        "tutorials/tutorial_1_queue.md");
        assertThat(report.documents())
                .filteredOn(d -> d.kind() == DocumentKind.CHAPTER)
                .extracting(Document::title)
                .contains("Chapter 1: Queue", "Reviewed: Chapter 2: Worker");
        assertThat(progress.stream().map(Progress::step).distinct()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(progress)
                .extracting(p -> ProgressText.describe(p, ProgressLanguage.FRENCH))
                .contains(
                        "Étape 1/6: Extraction des abstractions principales",
                        "Étape 6/6: Génération de tutoriels interactifs");
        assertThat(progress).extracting(Progress::message).contains("Write: " + out.resolve("step3_order.yaml"));
        List<RecordedRequest> requests = api.messageRequests();
        assertThat(requests).hasSize(8).allSatisfy(r -> {
            assertThat(r.model()).isEqualTo(ClaudeCodeCommand.DEFAULT_MODEL);
            assertThat(r.header("x-api-key")).contains(FAKE_KEY);
        });
        assertThat(requests.get(1).toolResults())
                .anySatisfy(result -> assertThat(result).contains("A job queue."));
        assertThat(report.details())
                .containsEntry(ClaudeRunSummary.INPUT_TOKENS, 8 * Turn.INPUT_TOKENS)
                .containsEntry(ClaudeRunSummary.OUTPUT_TOKENS, 8 * Turn.OUTPUT_TOKENS)
                .containsEntry(ClaudeRunSummary.MODEL, ClaudeCodeCommand.DEFAULT_MODEL)
                .containsEntry(ClaudeRunSummary.TERMINAL_REASON, "completed")
                .containsEntry(AnalysisRunner.TOOL_USES, 10)
                .containsKeys(ClaudeRunSummary.SESSION_ID, ClaudeRunSummary.DURATION_MS);
        assertThat((Integer) report.details().get(ClaudeRunSummary.NUM_TURNS)).isGreaterThanOrEqualTo(8);
        assertThat((Double) report.details().get(ClaudeRunSummary.TOTAL_COST_USD))
                .isPositive();
        // The attempt's cost, for the job's budget: what the CLI reported.
        assertThat(report.costUsd())
                .contains(BigDecimal.valueOf((Double) report.details().get(ClaudeRunSummary.TOTAL_COST_USD)));
        assertThat(report.llmLimit()).isEmpty();
        System.out.printf(
                "Claude Code %s: a course in 8 API turns against the scripted API in %s ms (the CLI says %s ms)%n",
                ClaudeCodeInstallation.version(),
                report.details().get(AnalysisRunner.DURATION_MS),
                report.details().get(ClaudeRunSummary.DURATION_MS));
    }

    @Test
    void anOauthTokenInTheEnvironmentIsSentAsABearerToken() throws Exception {
        api = workspace.serve(oneChapter());
        String token = "sk-ant-oat01-FAKE";
        Map<String, String> worker = ClaudeCodeWorkspace.workerEnvironment(api.baseUrl());
        worker.remove("ANTHROPIC_API_KEY");
        worker.put("CLAUDE_CODE_OAUTH_TOKEN", token);
        Map<String, String> env = EnvironmentPolicy.defaults().filter(worker, null);
        assertThat(ClaudeCredentials.sources(env, null)).containsExactly("CLAUDE_CODE_OAUTH_TOKEN");

        long t0 = System.nanoTime();
        AnalysisReport report = workspace.run(workspace.command(env), null);
        System.out.println("TIMING run " + (System.nanoTime() - t0) / 1000000 + " ms, process "
                + report.details().get(AnalysisRunner.DURATION_MS) + " cli "
                + report.details().get(ClaudeRunSummary.DURATION_MS));

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(api.messageRequests()).allSatisfy(r -> {
            assertThat(r.header("authorization")).contains("Bearer " + token);
            assertThat(r.header("x-api-key")).isEmpty();
        });
    }

    @Test
    void aMountedReadOnlyClaudeDirectoryServesItsLogin() throws Exception {
        api = workspace.serve(oneChapter());
        Path mounted = Files.createDirectories(dir.resolve("mounted/.claude"));
        String token = "sk-ant-oat01-FAKE-login";
        Files.writeString(
                mounted.resolve(ClaudeCredentials.CREDENTIALS_FILE),
                "{\"claudeAiOauth\":{\"accessToken\":\"" + token + "\",\"refreshToken\":\"sk-ant-ort01-FAKE\","
                        + "\"expiresAt\":4102444800000,\"scopes\":[\"user:inference\"],\"subscriptionType\":\"pro\"}}");
        Map<Path, String> before = FileSnapshot.of(mounted);
        Map<String, String> worker = ClaudeCodeWorkspace.workerEnvironment(api.baseUrl());
        worker.remove("ANTHROPIC_API_KEY");
        Map<String, String> env = EnvironmentPolicy.defaults().filter(worker, null);
        assertThat(ClaudeCredentials.sources(env, mounted))
                .containsExactly(mounted.resolve(".credentials.json").toString());

        AnalysisReport report = workspace.run(workspace.command(env).configDirectory(mounted), null);

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(api.messageRequests())
                .allSatisfy(r -> assertThat(r.header("authorization")).contains("Bearer " + token));
        assertThat(FileSnapshot.of(mounted))
                .as("the mounted directory is only read")
                .isEqualTo(before);
    }

    @Test
    void aResumedSessionIsToldWhichFilesAreFinalAndWhichAreLeftAndWritesOnlyThose() throws Exception {
        Path out = workspace.out;
        Map<String, String> earlier = new LinkedHashMap<>();
        earlier.put("step1_abstractions.yaml", OutputTree.ABSTRACTIONS);
        earlier.put("step2_relationships.yaml", OutputTree.RELATIONSHIPS);
        earlier.put("step3_order.yaml", OutputTree.ORDER);
        earlier.put("chapters/chapter_1_job-queue.md", "# Chapter 1: Job Queue\n\nJobs wait here.\n");
        earlier.put("chapters/chapter_2_worker.md", "# Chapter 2: Worker\n\nThe worker polls.\n");
        earlier.put("chapters/chapter_3_analyzer-cli.md", "(no content)");
        ResumePlan plan = ResumePlan.of(earlier);
        plan.restoreInto(out);
        api = workspace.serve(Scenario.conversation(
                Turn.tools(ToolCall.write(
                        out.resolve("chapters/chapter_3_analyzer-cli.md"), "# Chapter 3: Analyzer: CLI\n\nIt runs.\n")),
                Turn.tools(
                        ToolCall.write(
                                out.resolve("reviewed-chapters/chapter_1_job-queue.md"), "# Chapter 1: Job Queue\n"),
                        ToolCall.write(out.resolve("reviewed-chapters/chapter_2_worker.md"), "# Chapter 2: Worker\n"),
                        ToolCall.write(
                                out.resolve("reviewed-chapters/chapter_3_analyzer-cli.md"),
                                "# Chapter 3: Analyzer: CLI\n")),
                Turn.tools(
                        ToolCall.write(
                                out.resolve("tutorials/tutorial_1_job-queue.md"),
                                "# Interactive Tutorial: Job Queue\n"),
                        ToolCall.write(
                                out.resolve("tutorials/tutorial_2_worker.md"), "# Interactive Tutorial: Worker\n"),
                        ToolCall.write(
                                out.resolve("tutorials/tutorial_3_analyzer-cli.md"),
                                "# Interactive Tutorial: Analyzer: CLI\n")),
                Turn.text("DONE")));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).resume(plan), null);

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        String told = api.messageRequests().get(0).body();
        assertThat(told)
                .contains("This run resumes an earlier one that was interrupted.")
                .contains("- chapters/chapter_1_job-queue.md")
                .contains("- chapters/chapter_2_worker.md")
                .contains("Start at step 4.")
                .contains("- chapters/chapter_3_analyzer-cli.md (chapter 3: Analyzer: CLI)")
                .contains("- tutorials/tutorial_2_worker.md (chapter 2: Worker)");
        assertThat(told)
                .as("the dropped file is not called final")
                .doesNotContain("- chapters/chapter_3_analyzer-cli.md\\n");
        assertThat(ResumePlan.of(OutputTree.read(out)).isComplete()).isTrue();
        assertThat(report.documents()).hasSize(12);
        assertThat(Files.readString(out.resolve("chapters/chapter_1_job-queue.md")))
                .as("a final file is left as it was")
                .isEqualTo(earlier.get("chapters/chapter_1_job-queue.md"));
    }

    /** A conversation that writes one chapter and ends. */
    Scenario oneChapter() {
        return Scenario.conversation(
                Turn.tools(
                        ToolCall.write(workspace.out.resolve("chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n")),
                Turn.text("DONE"));
    }

    static Reply after(Map<Integer, CountDownLatch> reached, int step, Reply reply) {
        return new Reply.After(reached.get(step), reply);
    }
}
