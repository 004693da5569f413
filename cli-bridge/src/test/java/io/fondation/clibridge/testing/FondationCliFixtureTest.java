package io.fondation.clibridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.process.RunningProcess;
import io.fondation.clibridge.progress.ProgressParser;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fondation CLI fixture behaves as shared/reference/fondation-system.md §2 says the real CLI does with
 * {@code --steps}, point by point, run as the worker runs it ({@code node <cli> analyze <repo> --profile ...}).
 */
class FondationCliFixtureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private FondationCliFixture cli;
    private Path repo;
    private Path out;
    private final List<String> stdout = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cli = FondationCliFixture.install(dir.resolve("cli"));
        repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("README.md"), "# Demo\n");
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        out = dir.resolve("out");
    }

    private ProcessSpec command(List<String> steps, String profile) {
        Map<String, String> env = new HashMap<>(Fixtures.minimalEnv());
        env.putAll(cli.environment());
        return FondationCliCommand.builder()
                .runtime("node")
                .cliPath(cli.cli())
                .repository(repo)
                .outputDir(out)
                .profile(profile)
                .steps(steps)
                .environment(env)
                .timeout(TIMEOUT)
                .build();
    }

    private RunningProcess start(List<String> steps) {
        stdout.clear();
        return new ProcessRunner().start(command(steps, "production"), (channel, line) -> {
            if (channel == OutputChannel.STDOUT) {
                stdout.add(line);
            }
        });
    }

    private ProcessOutcome run(List<String> steps) throws InterruptedException {
        return start(steps).await();
    }

    private List<String> files() throws Exception {
        if (!Files.exists(out)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(Files::isRegularFile)
                    .map(path -> out.relativize(path).toString())
                    .sorted()
                    .toList();
        }
    }

    private List<Progress> progress() {
        ProgressParser parser = new ProgressParser();
        return stdout.stream().flatMap(line -> parser.parse(line).stream()).toList();
    }

    @Test
    void aFullRunWritesTheLayoutStepByStepWithOneRequestPerFile() throws Exception {
        ProcessOutcome outcome = run(List.of());

        assertThat(outcome.exitCode()).isZero();
        assertThat(files())
                .containsExactly(
                        "chapters/chapter_1_readme-md.md",
                        "chapters/chapter_2_pom-xml.md",
                        "chapters/chapter_3_src.md",
                        "reviewed-chapters/chapter_1_readme-md.md",
                        "reviewed-chapters/chapter_2_pom-xml.md",
                        "reviewed-chapters/chapter_3_src.md",
                        "step1_abstractions.yaml",
                        "step2_relationships.yaml",
                        "step3_order.yaml",
                        "tutorials/tutorial_1_readme-md.md",
                        "tutorials/tutorial_2_pom-xml.md",
                        "tutorials/tutorial_3_src.md");
        assertThat(stdout)
                .anySatisfy(line ->
                        assertThat(line).contains("\"msg\":\"[FONDATION_STEP_4/6] Generating chapter content\""));
        assertThat(progress()).extracting(Progress::step).containsExactly(1, 2, 3, 4, 5, 6);
        FondationCliFixture.Run run = cli.runs().get(0);
        assertThat(run.steps()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(run.requests()).hasSize(12).startsWith("step1_abstractions.yaml");
        assertThat(run.skipped()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(out.resolve("chapters/chapter_3_src.md"))).startsWith("# Chapter 3: src\n");
    }

    @Test
    void stepsFiltersTheStepsAndProgressCountsTheSelectedOnes() throws Exception {
        run(List.of("extract", "analyze", "order"));
        assertThat(files()).containsExactly("step1_abstractions.yaml", "step2_relationships.yaml", "step3_order.yaml");

        ProcessOutcome outcome = run(List.of("generate-chapters", "review-chapters", "generate-tutorials"));

        assertThat(outcome.exitCode()).isZero();
        assertThat(stdout)
                .filteredOn(line -> line.contains("FONDATION_STEP"))
                .extracting(line -> line.replaceAll(".*\\[FONDATION_STEP_(\\d/\\d)\\] ([^\"]*).*", "$1 $2"))
                .containsExactly(
                        "1/3 Generating chapter content",
                        "2/3 Reviewing and enhancing chapters",
                        "3/3 Generating interactive tutorials");
        assertThat(progress())
                .as("mapped to the real step by their text")
                .containsExactly(
                        new Progress(4, 6, "Generating chapter content"),
                        new Progress(5, 6, "Reviewing and enhancing chapters"),
                        new Progress(6, 6, "Generating interactive tutorials"));
        FondationCliFixture.Run resumed = cli.runs().get(1);
        assertThat(resumed.steps()).containsExactly(4, 5, 6);
        assertThat(resumed.requests())
                .as("steps 1-3 make no request")
                .hasSize(9)
                .noneMatch(f -> f.endsWith(".yaml"));
    }

    @Test
    void steps1To3RewriteTheirFileWheneverListed() throws Exception {
        run(List.of("extract"));
        Files.writeString(out.resolve("step1_abstractions.yaml"), "- name: Stale\n");

        run(List.of("extract"));

        assertThat(Files.readString(out.resolve("step1_abstractions.yaml")))
                .contains("README.md")
                .doesNotContain("Stale");
        assertThat(cli.runs().get(1).requests()).containsExactly("step1_abstractions.yaml");
    }

    @Test
    void steps4To6SkipExistingFilesOneByOneAnEmptyOneToo() throws Exception {
        run(List.of("extract", "analyze", "order"));
        Files.createDirectories(out.resolve("chapters"));
        Files.writeString(out.resolve("chapters/chapter_1_readme-md.md"), "# Chapter 1: kept as it is\n");
        Files.writeString(out.resolve("chapters/chapter_2_pom-xml.md"), "");

        run(List.of("generate-chapters", "review-chapters"));

        FondationCliFixture.Run run = cli.runs().get(1);
        assertThat(run.skipped()).containsExactly("chapters/chapter_1_readme-md.md", "chapters/chapter_2_pom-xml.md");
        assertThat(run.requests())
                .containsExactly(
                        "chapters/chapter_3_src.md",
                        "reviewed-chapters/chapter_1_readme-md.md",
                        "reviewed-chapters/chapter_2_pom-xml.md",
                        "reviewed-chapters/chapter_3_src.md");
        assertThat(Files.readString(out.resolve("chapters/chapter_1_readme-md.md")))
                .isEqualTo("# Chapter 1: kept as it is\n");
        assertThat(out.resolve("chapters/chapter_2_pom-xml.md"))
                .as("a 0-byte chapter stays empty")
                .isEmptyFile();
        assertThat(Files.readString(out.resolve("reviewed-chapters/chapter_2_pom-xml.md")))
                .as("reviewed from empty content")
                .doesNotContain("# Chapter");
    }

    @Test
    void anEmptyAnswerIsWrittenAsNoContent() throws Exception {
        cli.answerEmpty("chapters/chapter_2_pom-xml.md");

        run(List.of());

        assertThat(Files.readString(out.resolve("chapters/chapter_2_pom-xml.md")))
                .isEqualTo("(no content)");
        assertThat(run(List.of("generate-chapters")).exitCode()).isZero();
        assertThat(cli.runs().get(1).skipped())
                .as("the next run keeps it for ever: it exists")
                .contains("chapters/chapter_2_pom-xml.md");
        assertThat(cli.runs().get(1).requests()).isEmpty();
    }

    @Test
    void bogusStepsRunNothingAndExitZero() throws Exception {
        // FondationCliCommand refuses unknown steps, so the arguments are given as the CLI would get them.
        List<String> lines = new CopyOnWriteArrayList<>();
        Map<String, String> env = new HashMap<>(Fixtures.minimalEnv());
        env.putAll(cli.environment());
        ProcessSpec spec = new ProcessSpec(
                List.of(
                        "node",
                        cli.cli().toString(),
                        "analyze",
                        repo.toString(),
                        "--profile",
                        "production",
                        "--output-dir",
                        out.toString(),
                        "--steps",
                        "bogus"),
                repo,
                env,
                TIMEOUT,
                ProcessSpec.DEFAULT_KILL_GRACE);

        ProcessOutcome outcome = new ProcessRunner()
                .start(spec, (channel, line) -> lines.add(line))
                .await();

        assertThat(outcome.exitCode()).isZero();
        assertThat(cli.runs().get(0).steps()).isEmpty();
        assertThat(cli.runs().get(0).requests()).isEmpty();
        assertThat(lines).noneMatch(line -> line.contains("FONDATION_STEP"));
        assertThat(files()).isEmpty();
    }

    @Test
    void anUnknownProfileExitsOneWithNoOutputAtAll() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProcessOutcome outcome = new ProcessRunner()
                .start(command(List.of(), "nightly"), (channel, line) -> lines.add(line))
                .await();

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(lines).isEmpty();
        assertThat(cli.runs()).isEmpty();
    }

    @Test
    void aFailureAsTheCliReportsIt() throws Exception {
        cli.failAt(6, 1, "rate-limit");

        ProcessOutcome outcome = run(List.of());

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(stdout.get(stdout.size() - 1))
                .contains("\"level\":\"error\"")
                .contains("\"msg\":\"Analysis failed\"");
        assertThat(outcome.stderrTail()).contains("Request rejected (429)");
        assertThat(cli.runs().get(0).requests()).hasSize(10).endsWith("tutorials/tutorial_1_readme-md.md");
        assertThat(cli.runs().get(0).exitCode()).isEqualTo(1);
        assertThat(run(List.of()).exitCode())
                .as("a control steers one run only")
                .isZero();
    }

    @Test
    void aPausedRunWaitsForItsReleaseOrItsEnd() throws Exception {
        cli.pauseAt(5, 1);
        RunningProcess process = start(List.of());

        cli.awaitPaused(TIMEOUT);

        assertThat(files())
                .contains("reviewed-chapters/chapter_1_readme-md.md")
                .doesNotContain("reviewed-chapters/chapter_2_pom-xml.md");
        cli.release();
        assertThat(process.await().exitCode()).isZero();
        assertThat(files()).hasSize(12);
    }

    @Test
    void aRelativeOutputDirectoryIsResolvedAgainstTheRepository() throws Exception {
        Map<String, String> env = new HashMap<>(Fixtures.minimalEnv());
        ProcessSpec spec = new ProcessSpec(
                List.of(
                        "node",
                        cli.cli().toString(),
                        "analyze",
                        repo.toString(),
                        "--profile",
                        "production",
                        "-o",
                        "course",
                        "--steps",
                        "extract"),
                dir,
                env,
                TIMEOUT,
                ProcessSpec.DEFAULT_KILL_GRACE);

        assertThat(new ProcessRunner()
                        .start(spec, (channel, line) -> {})
                        .await()
                        .exitCode())
                .isZero();
        assertThat(repo.resolve("course/step1_abstractions.yaml")).exists();
    }
}
