package io.fondation.clibridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.fondation.CommandTemplate;
import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.output.OutputTree;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Document;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs of fixture analyzers: the fake Fondation CLI and a replayed Claude Code session. */
class AnalysisRunnerTest {

    private static final String FAKE_KEY = "sk-ant-" + "api03-" + "T".repeat(16) + "_k".repeat(12);

    @TempDir
    Path dir;

    private Path repo;
    private Path out;
    private final AnalysisRunner runner = new AnalysisRunner(
            new ProcessRunner(
                    ProcessRunner.DEFAULT_TAIL_BYTES, ProcessRunner.DEFAULT_MAX_LINE_BYTES, Duration.ofMillis(100)),
            new OutputCollector(OutputLimits.defaults()),
            new FailureClassifier());
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AnalysisListener listener = new AnalysisListener() {
        @Override
        public void onProgress(Progress p) {
            progress.add(p);
        }

        @Override
        public void onLine(OutputChannel channel, String line) {
            lines.add(channel + " " + line);
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        repo = Files.createDirectories(dir.resolve("job-1/repo"));
        out = dir.resolve("job-1/out");
    }

    private ProcessSpec fondation(String mode, Duration timeout) {
        Map<String, String> worker = new HashMap<>(Fixtures.minimalEnv());
        worker.put("FAKE_MODE", mode);
        worker.put("FAKE_OUTSIDE", dir.resolve("outside.md").toString());
        worker.put("ANTHROPIC_API_KEY", FAKE_KEY);
        worker.put("GITHUB_TOKEN", "test-github");
        worker.put("ENCRYPTION_KEY", "test-encryption");
        worker.put("CONVEX_URL", "https://example.invalid");
        Map<String, String> env =
                EnvironmentPolicy.defaults().withExtras(List.of("FAKE_*")).filter(worker, dir.resolve("home"));
        return FondationCliCommand.builder()
                .runtime("bash")
                .cliPath(Fixtures.script("fake-fondation-cli.sh"))
                .repository(repo)
                .outputDir(out)
                .model("claude-test")
                .environment(env)
                .timeout(timeout)
                .killGrace(Duration.ofMillis(300))
                .build();
    }

    @Test
    void aSuccessfulRunYieldsOrderedDocumentsAndFrenchProgress() throws Exception {
        AnalysisReport report = runner.start(fondation("success", Duration.ofMinutes(2)), out, listener)
                .await();

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(report.documents())
                .extracting(Document::slug)
                .containsExactly(
                        "step1_abstractions.yaml",
                        "step2_relationships.yaml",
                        "step3_order.yaml",
                        "chapters/chapter_1_topic-1.md",
                        "chapters/chapter_2_topic-2.md",
                        "chapters/chapter_10_topic-10.md",
                        "reviewed-chapters/chapter_1_topic-1.md",
                        "tutorials/tutorial_1_job-queue.md");
        assertThat(report.documents())
                .extracting(Document::title)
                .contains(
                        "Chapter 10: Topic 10",
                        "Reviewed: Chapter 1: Topic 1",
                        "Tutorial: Interactive Tutorial: Job Queue");
        assertThat(progress).extracting(Progress::step).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(progress)
                .extracting(p -> ProgressText.describe(p, ProgressLanguage.FRENCH))
                .containsExactly(
                        "Étape 1/6: Extraction des abstractions principales",
                        "Étape 2/6: Analyse des relations entre composants",
                        "Étape 3/6: Détermination de l'ordre optimal des chapitres",
                        "Étape 4/6: Génération du contenu des chapitres",
                        "Étape 5/6: Révision et amélioration des chapitres",
                        "Étape 6/6: Génération de tutoriels interactifs");
        assertThat(report.details())
                .containsEntry(AnalysisRunner.EXIT_CODE, 0)
                .containsEntry(AnalysisRunner.DOCUMENTS, 8)
                .containsKey(AnalysisRunner.DURATION_MS);
        assertThat(report.outcome().succeeded()).isTrue();
        assertThat(lines).anyMatch(l -> l.contains("model claude-test"));
        String envLine = lines.stream()
                .filter(l -> l.startsWith("STDERR ENV_NAMES="))
                .findFirst()
                .orElseThrow();
        List<String> names =
                List.of(envLine.substring("STDERR ENV_NAMES=".length()).trim().split(" "));
        assertThat(names)
                .contains("ANTHROPIC_API_KEY", "HOME", "FAKE_MODE", "CLAUDE_OUTPUT_DIR")
                .doesNotContain("GITHUB_TOKEN", "ENCRYPTION_KEY", "CONVEX_URL");
    }

    @Test
    void olderProgressFormsAreFollowedToo() throws Exception {
        AnalysisReport report = runner.start(fondation("legacy", Duration.ofMinutes(2)), out, listener)
                .await();
        assertThat(report.succeeded()).isTrue();
        assertThat(progress)
                .extracting(Progress::step)
                .containsSubsequence(1, 2, 3, 4, 5, 6)
                .isSorted();
        assertThat(progress).extracting(Progress::message).contains("working on Extract");
        progress.clear();
        runner.start(fondation("tty", Duration.ofMinutes(2)), dir.resolve("other"), listener)
                .await();
        assertThat(progress).extracting(Progress::step).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void aRunThatFailedAtStepFourReadsNoDocuments() throws Exception {
        AnalysisReport report = runner.start(fondation("fail-step4", Duration.ofMinutes(2)), out, listener)
                .await();

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failure.message()).contains("API Error: 500").doesNotContain("Starting analysis");
        assertThat(report.documents()).as("only a clean exit's output is read").isEmpty();
        assertThat(progress).extracting(Progress::step).containsExactly(1, 2, 3, 4);
    }

    @Test
    void anAuthenticationFailureIsNotRetriedAndTheKeyNeverReachesTheError() throws Exception {
        AnalysisReport report = runner.start(fondation("auth", Duration.ofMinutes(2)), out, listener)
                .await();

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.retryable()).isFalse();
        assertThat(lines).anyMatch(l -> l.contains(FAKE_KEY)); // the fixture did print it
        assertThat(failure.message())
                .contains("Please run /login")
                .contains("debug: using key [REDACTED]")
                .doesNotContain(FAKE_KEY);
    }

    @Test
    void exitZeroWithoutOutputIsAFailure() throws Exception {
        AnalysisReport report = runner.start(fondation("empty", Duration.ofMinutes(2)), out, listener)
                .await();
        assertThat(report.outcome().exitCode()).isZero();
        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(report.failure().orElseThrow().message()).startsWith("analyzer exited 0 but produced no documents");
        assertThat(report.documents()).isEmpty();
    }

    @Test
    void exitZeroWithoutAnOutputDirectoryIsAFailureToo() throws Exception {
        ProcessSpec spec = new ProcessSpec(List.of("true"), repo, Fixtures.minimalEnv(), Duration.ofSeconds(30), null);
        AnalysisReport report =
                runner.start(spec, dir.resolve("never-written"), listener).await();
        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(report.failure().orElseThrow().message()).startsWith("analyzer exited 0 but produced no documents");
        assertThat(report.warnings())
                .singleElement()
                .asString()
                .contains("never-written")
                .contains("does not exist");
    }

    @Test
    void aHangingAnalyzerTimesOutAndLeavesNoProcessBehind() throws Exception {
        RunningAnalysis analysis = runner.start(fondation("hang", Duration.ofSeconds(3)), out, listener);
        assertThat(analysis.isAlive()).isTrue();
        AnalysisReport report = analysis.await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.TIMEOUT);
        assertThat(report.outcome().timedOut()).isTrue();
        assertThat(analysis.isAlive()).isFalse();
        assertThat(report.documents()).isEmpty();
        assertThat(analysis.await()).isSameAs(report);
    }

    @Test
    void cancelingFromTheListenerEndsTheRunAsCanceled() throws Exception {
        AtomicReference<RunningAnalysis> running = new AtomicReference<>();
        AnalysisListener cancelAtStepOne = new AnalysisListener() {
            @Override
            public void onProgress(Progress p) {
                progress.add(p);
                await().atMost(Duration.ofSeconds(10)).until(() -> running.get() != null);
                running.get().cancel();
            }
        };
        running.set(runner.start(fondation("hang", Duration.ofMinutes(5)), out, cancelAtStepOne));
        AnalysisReport report = running.get().await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.CANCELED);
        assertThat(report.outcome().canceled()).isTrue();
        assertThat(report.outcome().duration()).isLessThan(Duration.ofMinutes(1));
        assertThat(progress).hasSize(1);
    }

    @Test
    void aMissingCliIsAConfigurationError() throws Exception {
        ProcessSpec direct = FondationCliCommand.builder()
                .cliPath(dir.resolve("missing/cli.bundled.mjs"))
                .repository(repo)
                .environment(Fixtures.minimalEnv())
                .build();
        AnalysisReport report = runner.start(direct, out, listener).await();
        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(report.failure().orElseThrow().message())
                .contains("missing/cli.bundled.mjs")
                .contains("does not exist");

        // With a runtime, the runtime starts and reports the missing module itself.
        ProcessSpec viaNode = FondationCliCommand.builder()
                .runtime("node")
                .cliPath(dir.resolve("missing/cli.bundled.mjs"))
                .repository(repo)
                .environment(Fixtures.minimalEnv())
                .build();
        AnalysisReport nodeReport = runner.start(viaNode, out, listener).await();
        assertThat(nodeReport.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(nodeReport.failure().orElseThrow().message()).containsIgnoringCase("cannot find module");
    }

    @Test
    void aSymlinkWrittenByTheAnalyzerFailsTheRunAndIsNotFollowed() throws Exception {
        OutputTree.write(dir.resolve("outside.md"), "# Outside\n\ntest-secret\n");
        AnalysisReport report = runner.start(fondation("symlink", Duration.ofMinutes(2)), out, listener)
                .await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(report.failure().orElseThrow().message())
                .startsWith("analyzer output is unusable: chapters/chapter_3_leak.md: is a symbolic link; refused");
        assertThat(report.documents()).hasSize(8).noneMatch(d -> d.content().contains("test-secret"));
    }

    @Test
    void emptyAndNonUtf8FilesAreLeftOutAndAUsableCourseStillCompletes() throws Exception {
        ProcessSpec writer = shell("mkdir -p \"$1/chapters\" && printf '' > \"$1/chapters/chapter_9_empty.md\""
                + " && printf '# Bad \\377\\376\\n' > \"$1/chapters/chapter_8_binary.md\"");
        OutputTree.writeComplete(out);

        AnalysisReport report = runner.start(writer, out, listener).await();

        assertThat(report.failure()).isEmpty();
        assertThat(report.documents())
                .extracting(Document::slug)
                .doesNotContain("chapters/chapter_9_empty.md", "chapters/chapter_8_binary.md")
                .contains("chapters/chapter_1_job-queue.md");
        assertThat(report.details())
                .containsEntry(AnalysisRunner.FILES_LEFT_OUT, 2)
                .containsEntry(
                        AnalysisRunner.FILES_LEFT_OUT_NAMES,
                        "chapters/chapter_8_binary.md, chapters/chapter_9_empty.md");
        assertThat(report.warnings())
                .contains("left out: chapters/chapter_9_empty.md: empty chapter")
                .anyMatch(w -> w.startsWith("left out: chapters/chapter_8_binary.md: is not valid UTF-8"));
    }

    @Test
    void whenWhatRemainsIsNoCourseTheRunFailsNamingWhatIsMissing() throws Exception {
        ProcessSpec writer = shell("mkdir -p \"$1/chapters\" && printf '  ' > \"$1/chapters/chapter_1_empty.md\"");
        OutputTree.writeYaml(out);

        AnalysisReport report = runner.start(writer, out, listener).await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(report.failure().orElseThrow().message())
                .isEqualTo("analyzer output is unusable once its bad files are left out: it lacks a chapter;"
                        + " left out: chapters/chapter_1_empty.md: empty chapter");
    }

    /** A bash one-liner run with the output directory as {@code $1}. */
    private ProcessSpec shell(String script) {
        return new ProcessSpec(
                List.of("bash", "-c", script, "analyzer", out.toString()),
                repo,
                Fixtures.minimalEnv(),
                Duration.ofSeconds(30),
                null);
    }

    @Test
    void aClaudeCodeRunReportsSessionCostAndTokensAndToolProgress() throws Exception {
        ProcessSpec spec = claude("/claude/success.ndjson", 0);
        AnalysisReport report = runner.start(spec, out, listener).await();

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(report.documents()).extracting(Document::slug).containsExactly("chapters/chapter_1_intro.md");
        assertThat(report.details())
                .containsEntry(ClaudeRunSummary.SESSION_ID, "0b7c6a40-7d1e-4a7e-9a43-3c2f4d6e8a11")
                .containsEntry(ClaudeRunSummary.NUM_TURNS, 7)
                .containsEntry(ClaudeRunSummary.TOTAL_COST_USD, 0.4213)
                .containsEntry(ClaudeRunSummary.INPUT_TOKENS, 1520L)
                .containsEntry(ClaudeRunSummary.OUTPUT_TOKENS, 6210L)
                .containsEntry(AnalysisRunner.TOOL_USES, 3);
        assertThat(progress)
                .extracting(Progress::message)
                .containsExactly(
                        "Read: /tmp/job-1/repo/src/main.ts",
                        "Bash: git log --oneline | head -5",
                        "Write: " + out + "/chapters/chapter_1_intro.md");
    }

    @Test
    void aClaudeCodeAuthErrorIsAnAuthenticationFailureWithDetails() throws Exception {
        AnalysisReport report = runner.start(claude("/claude/auth-error.ndjson", 1), out, listener)
                .await();
        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(report.details())
                .containsEntry(ClaudeRunSummary.IS_ERROR, true)
                .containsEntry(ClaudeRunSummary.API_ERROR_STATUS, 401);
    }

    @Test
    void aClaudeCodeRunThatTriedToWriteOutsideFailsEvenThoughItSucceeded() throws Exception {
        AnalysisReport report = runner.start(claude("/claude/write-outside.ndjson", 0), out, listener)
                .await();

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message())
                .startsWith("the analyzer tried to write outside its output directory (Write /tmp/job-1/repo/.github"
                        + "/workflows/ci.yml)");
        assertThat(report.details())
                .containsEntry(AnalysisRunner.WRITES_OUTSIDE, 1)
                .containsEntry(ClaudeRunSummary.PERMISSION_DENIALS, 1);
    }

    @Test
    void withOutputProgressEveryStepIsSeenAsItsFilesAppear() throws Exception {
        Path gate = Files.createDirectories(dir.resolve("gate"));
        List<String> texts = new CopyOnWriteArrayList<>();
        AnalysisListener opener = new AnalysisListener() {
            @Override
            public void onProgress(Progress p) {
                progress.add(p);
                texts.add(ProgressText.describe(p, ProgressLanguage.FRENCH));
                if (p.step() >= 2) {
                    OutputTree.write(gate.resolve(Integer.toString(p.step() - 1)), "open");
                }
            }
        };
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("stepwise-output.sh", out.toString(), gate.toString()),
                repo,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(1),
                Duration.ofSeconds(1));

        AnalysisReport report = runner.withOutputProgress(Duration.ofMillis(50))
                .start(spec, out, opener)
                .await();

        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(progress).extracting(Progress::step).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(texts).first().isEqualTo("Étape 1/6: Extraction des abstractions principales");
        assertThat(texts).last().isEqualTo("Étape 6/6: Génération de tutoriels interactifs");
        assertThat(report.documents()).hasSize(6);
    }

    @Test
    void withoutOutputProgressTheFilesMakeNoProgress() throws Exception {
        Path gate = Files.createDirectories(dir.resolve("gate"));
        for (int i = 1; i <= 5; i++) {
            OutputTree.write(gate.resolve(Integer.toString(i)), "open");
        }
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("stepwise-output.sh", out.toString(), gate.toString()),
                repo,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(1),
                Duration.ofSeconds(1));
        AnalysisReport report = runner.start(spec, out, listener).await();
        assertThat(report.succeeded()).as("%s", report.failure()).isTrue();
        assertThat(progress).isEmpty();
    }

    private ProcessSpec claude(String session, int exitCode) throws Exception {
        Path ndjson = Path.of(getClass().getResource(session).toURI());
        List<String> argv = CommandTemplate.parse(List.of(
                        "bash", Fixtures.script("fake-claude.sh").toString(), "{session}", "{outputDir}", "{exit}"))
                .render(Map.of(
                        "session", ndjson.toString(), "outputDir", out.toString(), "exit", Integer.toString(exitCode)));
        return new ProcessSpec(argv, repo, Fixtures.minimalEnv(), Duration.ofMinutes(1), Duration.ofSeconds(1));
    }
}
