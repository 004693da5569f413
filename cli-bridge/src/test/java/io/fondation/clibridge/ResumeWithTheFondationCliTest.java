package io.fondation.clibridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.resume.OutputFile;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.clibridge.resume.ResumePlan;
import io.fondation.clibridge.testing.FondationCliFixture;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyzer side of resuming (issue 23), with the Fondation CLI fixture as a real process: while a run goes, the
 * runner reports each complete and valid file (what the worker saves as the checkpoint; a map stands in for the queue
 * here); the run is stopped or fails; a {@link ResumePlan} is made from those files, restored into a fresh output
 * directory, and the next run is started with {@code --steps} from the plan. It runs only the steps left, asks the
 * model only for the files missing, shows absolute progress, and ends with the same bytes as an uninterrupted run.
 */
class ResumeWithTheFondationCliTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private FondationCliFixture cli;
    private Path repo;
    private final AnalysisRunner runner = new AnalysisRunner(
                    new ProcessRunner(), new OutputCollector(OutputLimits.defaults()), new FailureClassifier())
            .withCheckpoints(
                    Duration.ofMillis(50), Duration.ofMillis(200), Clock.systemUTC(), OutputFileCheck.withDefaults());

    /** What the runner reported, as a queue would keep it: path to content. */
    private final Map<String, String> checkpoint = new ConcurrentHashMap<>();

    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final AnalysisListener listener = new AnalysisListener() {
        @Override
        public void onProgress(Progress p) {
            progress.add(p);
        }

        @Override
        public void onOutputFile(OutputFile file) {
            checkpoint.put(file.path(), file.content());
            reported.add(file.path());
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        cli = FondationCliFixture.install(dir.resolve("cli"));
        repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("README.md"), "# Demo\n");
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
    }

    private ProcessSpec command(Path out, int firstStep) {
        Map<String, String> env = new HashMap<>(Fixtures.minimalEnv());
        env.putAll(cli.environment());
        return FondationCliCommand.builder()
                .runtime("node")
                .cliPath(cli.cli())
                .repository(repo)
                .outputDir(out)
                .resumeFrom(firstStep)
                .environment(env)
                .timeout(TIMEOUT)
                .build();
    }

    /** An uninterrupted run's output, read before the interrupted one starts. */
    private Map<String, String> uninterrupted() throws Exception {
        Path out = dir.resolve("uninterrupted");
        AnalysisReport report = new AnalysisRunner(
                        new ProcessRunner(), new OutputCollector(OutputLimits.defaults()), new FailureClassifier())
                .start(command(out, 1), out, null)
                .await();
        assertThat(report.succeeded()).isTrue();
        return tree(out);
    }

    /** The next attempt: restores the plan's files into a fresh directory and runs the steps left. */
    private AnalysisReport resume(ResumePlan plan, Path out) throws Exception {
        plan.restoreInto(out);
        reported.clear();
        progress.clear();
        return runner.start(command(out, plan.firstStep()), out, listener, plan.contents())
                .await();
    }

    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }

    @Test
    void killedDuringStep5TheNextRunRunsOnlySteps5And6AndEndsByteIdentical() throws Exception {
        Map<String, String> expected = uninterrupted();
        cli.pauseAt(5, 1);
        Path first = dir.resolve("attempt-1");
        RunningAnalysis killed = runner.start(command(first, 1), first, listener);
        cli.awaitPaused(TIMEOUT);
        await("the finished files are reported").atMost(TIMEOUT).until(() -> checkpoint.size() == 7);
        killed.cancel();
        assertThat(killed.awaitExit().failure()).map(JobFailure::kind).contains(FailureKind.CANCELED);
        assertThat(checkpoint)
                .containsOnlyKeys(
                        "step1_abstractions.yaml",
                        "step2_relationships.yaml",
                        "step3_order.yaml",
                        "chapters/chapter_1_readme-md.md",
                        "chapters/chapter_2_pom-xml.md",
                        "chapters/chapter_3_src.md",
                        "reviewed-chapters/chapter_1_readme-md.md");

        ResumePlan plan = ResumePlan.of(checkpoint);
        assertThat(plan.describe()).isEqualTo("resumed at step 5/6 (7 files kept)");
        Path second = dir.resolve("attempt-2");
        AnalysisReport report = resume(plan, second);

        assertThat(report.succeeded()).isTrue();
        FondationCliFixture.Run resumed = cli.runs().get(2);
        assertThat(resumed.steps()).containsExactly(5, 6);
        assertThat(resumed.skipped()).containsExactly("reviewed-chapters/chapter_1_readme-md.md");
        assertThat(resumed.requests())
                .containsExactly(
                        "reviewed-chapters/chapter_2_pom-xml.md",
                        "reviewed-chapters/chapter_3_src.md",
                        "tutorials/tutorial_1_readme-md.md",
                        "tutorials/tutorial_2_pom-xml.md",
                        "tutorials/tutorial_3_src.md");
        assertThat(progress)
                .as("absolute steps, though the CLI counts 1/2 and 2/2")
                .extracting(Progress::step, Progress::totalSteps)
                .containsExactly(tuple(5, 6), tuple(6, 6));
        assertThat(reported)
                .as("restored files are not saved again")
                .containsExactlyInAnyOrderElementsOf(resumed.requests());
        assertThat(tree(second)).isEqualTo(expected);
        assertThat(ResumePlan.of(checkpoint).isComplete())
                .as("the checkpoint now holds everything")
                .isTrue();
    }

    @Test
    void stoppedDuringStep4WithHalfTheChaptersTheNextRunWritesOnlyTheMissingOnes() throws Exception {
        Map<String, String> expected = uninterrupted();
        cli.pauseAt(4, 2);
        Path first = dir.resolve("attempt-1");
        RunningAnalysis stopped = runner.start(command(first, 1), first, listener);
        cli.awaitPaused(TIMEOUT);
        stopped.cancel();
        stopped.awaitExit();

        ResumePlan plan = ResumePlan.of(checkpoint);
        assertThat(plan.firstStep()).isEqualTo(4);
        assertThat(plan.finalFiles(4))
                .containsExactly("chapters/chapter_1_readme-md.md", "chapters/chapter_2_pom-xml.md");
        AnalysisReport report = resume(plan, dir.resolve("attempt-2"));

        assertThat(report.succeeded()).isTrue();
        FondationCliFixture.Run resumed = cli.runs().get(2);
        assertThat(resumed.steps()).containsExactly(4, 5, 6);
        assertThat(resumed.requests())
                .filteredOn(file -> file.startsWith("chapters/"))
                .containsExactly("chapters/chapter_3_src.md");
        assertThat(resumed.requests()).hasSize(7);
        assertThat(tree(dir.resolve("attempt-2"))).isEqualTo(expected);
    }

    @Test
    void aRateLimitAtStep6IsRetriedWithStep6Only() throws Exception {
        Map<String, String> expected = uninterrupted();
        cli.failAt(6, 0, "rate-limit");
        Path first = dir.resolve("attempt-1");

        AnalysisReport failed = runner.start(command(first, 1), first, listener).await();

        assertThat(failed.failure()).map(JobFailure::kind).contains(FailureKind.RATE_LIMITED);
        assertThat(checkpoint).hasSize(9);
        ResumePlan plan = ResumePlan.of(checkpoint);
        assertThat(plan.stepsToRun()).containsExactly(6);
        AnalysisReport report = resume(plan, dir.resolve("attempt-2"));

        assertThat(report.succeeded()).isTrue();
        assertThat(cli.runs().get(2).steps()).containsExactly(6);
        assertThat(cli.runs().get(2).requests()).hasSize(3).allMatch(file -> file.startsWith("tutorials/"));
        assertThat(tree(dir.resolve("attempt-2"))).isEqualTo(expected);
    }

    @Test
    void anEmptyChapterInTheCheckpointIsDroppedAndRedoneWithWhatWasMadeFromIt() throws Exception {
        Map<String, String> expected = uninterrupted();
        checkpoint.putAll(expected);
        checkpoint.put("chapters/chapter_2_pom-xml.md", "");

        ResumePlan plan = ResumePlan.of(checkpoint);
        assertThat(plan.droppedPaths())
                .containsExactly(
                        "chapters/chapter_2_pom-xml.md",
                        "reviewed-chapters/chapter_2_pom-xml.md",
                        "tutorials/tutorial_2_pom-xml.md");
        AnalysisReport report = resume(plan, dir.resolve("attempt-2"));

        assertThat(report.succeeded()).isTrue();
        assertThat(cli.runs().get(1).requests())
                .containsExactly(
                        "chapters/chapter_2_pom-xml.md",
                        "reviewed-chapters/chapter_2_pom-xml.md",
                        "tutorials/tutorial_2_pom-xml.md");
        assertThat(tree(dir.resolve("attempt-2"))).isEqualTo(expected);
    }

    @Test
    void aStepYamlThatDoesNotParseIsRedoneWithEveryLaterStep() throws Exception {
        Map<String, String> expected = uninterrupted();
        checkpoint.putAll(expected);
        checkpoint.put("step2_relationships.yaml", "summary: [cut in the mid");

        ResumePlan plan = ResumePlan.of(checkpoint);
        assertThat(plan.firstStep()).isEqualTo(2);
        AnalysisReport report = resume(plan, dir.resolve("attempt-2"));

        assertThat(report.succeeded()).isTrue();
        assertThat(cli.runs().get(1).steps()).containsExactly(2, 3, 4, 5, 6);
        assertThat(cli.runs().get(1).requests()).hasSize(11).doesNotContain("step1_abstractions.yaml");
        assertThat(tree(dir.resolve("attempt-2"))).isEqualTo(expected);
    }
}
