package io.fondation.dryrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dry-run analyzer honours {@code --steps} as the Fondation CLI does (shared/reference/fondation-system.md §2): only
 * the listed steps run, steps 4 to 6 keep the files that exist (an empty one too), the progress lines count the
 * selected steps, and {@code --steps bogus} runs nothing and exits 0.
 */
class DryRunStepsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    private Path repository() throws IOException {
        Path repo = temp.resolve("repo");
        write(repo.resolve("README.md"), "# App\n");
        write(repo.resolve("src/api/Api.java"), "package api;\nimport core.Core;\nclass Api {}\n");
        write(repo.resolve("src/core/Core.java"), "package core;\npublic class Core {}\n");
        return repo;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private List<String> run(Path repo, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("analyze", repo.toString(), "--output-dir", out.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = DryRunAnalyzer.run(
                args.toArray(String[]::new),
                Map.of(),
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                CLOCK,
                false);
        assertThat(code).isZero();
        return stdout.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.contains("FONDATION_STEP_"))
                .map(line -> line.replaceAll(".*\\[(FONDATION_STEP_[0-9]+/[0-9]+)\\] ([^\"]*).*", "$1 $2"))
                .toList();
    }

    private static Map<String, String> files(Path out) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                files.put(out.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }

    @Test
    void aResumedRunWritesOnlyTheMissingFilesAndEndsWithTheSameOutputAsAWholeRun() throws IOException {
        Path repo = repository();
        Path whole = temp.resolve("whole");
        run(repo, whole);
        Map<String, String> expected = files(whole);
        String firstChapter = expected.keySet().stream()
                .filter(path -> path.startsWith("chapters/"))
                .findFirst()
                .orElseThrow();

        Path resumed = temp.resolve("resumed");
        Files.createDirectories(resumed.resolve("chapters"));
        for (String step : List.of("step1_abstractions.yaml", "step2_relationships.yaml", "step3_order.yaml")) {
            Files.writeString(resumed.resolve(step), expected.get(step));
        }
        Files.writeString(resumed.resolve(firstChapter), "# kept as it is\n");
        List<String> progress = run(repo, resumed, "--steps", "generate-chapters,review-chapters,generate-tutorials");

        assertThat(progress)
                .containsExactly(
                        "FONDATION_STEP_1/3 Generating chapter content",
                        "FONDATION_STEP_2/3 Reviewing and enhancing chapters",
                        "FONDATION_STEP_3/3 Generating interactive tutorials");
        Map<String, String> after = files(resumed);
        assertThat(after.get(firstChapter)).as("an existing chapter is kept").isEqualTo("# kept as it is\n");
        after.remove(firstChapter);
        Map<String, String> others = new TreeMap<>(expected);
        others.remove(firstChapter);
        assertThat(after).isEqualTo(others);
    }

    @Test
    void listedStepsOneToThreeRewriteTheirFilesAndUnlistedStepsWriteNothing() throws IOException {
        Path repo = repository();
        Path out = temp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("step1_abstractions.yaml"), "stale: true\n");

        List<String> progress = run(repo, out, "--steps", "extract,analyze");

        assertThat(progress)
                .containsExactly(
                        "FONDATION_STEP_1/2 Extracting core abstractions from codebase",
                        "FONDATION_STEP_2/2 Analyzing relationships between components");
        assertThat(files(out)).containsOnlyKeys("step1_abstractions.yaml", "step2_relationships.yaml");
        assertThat(files(out).get("step1_abstractions.yaml")).doesNotContain("stale");
    }

    @Test
    void anUnknownStepRunsNothingAndExitsZero() throws IOException {
        Path repo = repository();
        Path out = temp.resolve("out");

        assertThat(run(repo, out, "--steps", "bogus")).isEmpty();
        assertThat(Files.exists(out) ? files(out) : Map.of()).isEmpty();
    }
}
