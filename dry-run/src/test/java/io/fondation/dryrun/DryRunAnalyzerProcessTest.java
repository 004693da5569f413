package io.fondation.dryrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.output.CollectedOutput;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.progress.ProgressParser;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs {@link DryRunAnalyzer} the way the worker does: a child JVM started from
 * {@link DryRunCommand#argv}, on a committed fixture repository. Its output must be accepted by
 * cli-bridge's {@link OutputCollector} and its progress lines parsed by {@link ProgressParser}.
 */
class DryRunAnalyzerProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    static Path repo;
    static Path out;
    static Run run;

    record Run(int exitCode, List<String> stdout, String stderr) {}

    @BeforeAll
    static void analyseFixture() throws Exception {
        repo = FixtureRepository.create(temp.resolve("shop"));
        out = temp.resolve("out");
        run = runChild(DryRunCommand.argv(repo, out), repo);
    }

    static Run runChild(List<String> argv, Path workingDirectory) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile(temp, "stdout", ".txt");
        Path stderr = Files.createTempFile(temp, "stderr", ".txt");
        // An empty environment, like the worker's allow-listed one: the child must not need anything from it.
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(workingDirectory.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().clear();
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("the analyzer finishes within a minute")
                .isTrue();
        return new Run(
                process.exitValue(), Files.readAllLines(stdout, StandardCharsets.UTF_8), Files.readString(stderr));
    }

    @Test
    void exitsZeroAndPrintsTheSixStepsAsJsonLogLinesTheParserReads() throws Exception {
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        ProgressParser parser = new ProgressParser();
        List<Progress> steps = run.stdout().stream()
                .map(parser::parse)
                .flatMap(Optional::stream)
                .toList();
        assertThat(steps).extracting(Progress::step).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(steps).allSatisfy(p -> assertThat(p.totalSteps()).isEqualTo(6));
        for (String line : run.stdout()) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.get("level").asText()).isEqualTo("info");
            assertThat(node.get("context").asText()).isEqualTo("analyze");
            assertThat(node.get("time").isNumber()).isTrue();
            assertThat(node.get("msg").isTextual()).isTrue();
        }
        assertThat(run.stdout().get(0))
                .contains("\"msg\":\"[FONDATION_STEP_1/6] Extracting core abstractions from codebase\"");
        assertThat(run.stdout()).anyMatch(l -> l.contains("[FONDATION_STEP_6/6] Generating interactive tutorials"));
    }

    @Test
    void writesTheCliLayoutThatTheOutputCollectorAccepts() {
        CollectedOutput collected = new OutputCollector(OutputLimits.defaults()).collect(out);
        List<Document> documents = collected.documents();
        long chapters =
                documents.stream().filter(d -> d.slug().startsWith("chapters/")).count();
        long reviewed = documents.stream()
                .filter(d -> d.slug().startsWith("reviewed-chapters/"))
                .count();
        long tutorials = documents.stream()
                .filter(d -> d.kind() == DocumentKind.TUTORIAL)
                .count();
        assertThat(documents.stream().filter(d -> d.kind() == DocumentKind.YAML))
                .extracting(Document::slug)
                .containsExactly("step1_abstractions.yaml", "step2_relationships.yaml", "step3_order.yaml");
        assertThat(chapters).isEqualTo(abstractionNames().size());
        assertThat(reviewed).isEqualTo(chapters);
        assertThat(tutorials).isEqualTo(chapters);
        assertThat(collected.warnings()).isEmpty();
        assertThat(documents).allSatisfy(d -> assertThat(d.content()).contains("fondation-dry-run (no LLM)"));
        Document first = documents.stream()
                .filter(d -> d.slug().equals("chapters/chapter_1_project_root.md"))
                .findFirst()
                .orElseThrow();
        assertThat(first.content()).startsWith("# Chapter 1: Project Root\n");
        assertThat(first.content())
                .contains("Demo Shop")
                .contains("`README.md`")
                .contains("`pom.xml`");
        assertThat(documents)
                .filteredOn(d -> d.kind() == DocumentKind.TUTORIAL)
                .allSatisfy(d -> assertThat(d.content()).startsWith("# Interactive Tutorial: "));
    }

    @Test
    void abstractionsAreTheRepositorysRealDirectoriesWithoutNoise() throws IOException {
        // assets/ holds only binary files: no text, so no abstraction.
        assertThat(abstractionNames()).containsExactly("Project Root", "API", "Core", "Docs", "Web");
        String step1 = Files.readString(out.resolve("step1_abstractions.yaml"));
        assertThat(step1).startsWith("# Generated offline by fondation-dry-run (no LLM)");
        assertThat(step1)
                .contains("core/src/main/java/com/acme/core/Order.java", "web/src/app.ts", "docs/guide.md")
                .doesNotContain("node_modules", "target/", "logo.png", "data.txt", ".git/");
    }

    @Test
    void relationshipsComeFromImportsAndTheRootFiles() throws IOException {
        Map<String, Object> step2 = yaml("step2_relationships.yaml");
        List<String> names = abstractionNames();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> relationships = (List<Map<String, Object>>) step2.get("relationships");
        assertThat(relationships).anySatisfy(r -> {
            assertThat(names.get((Integer) r.get("from_abstraction"))).isEqualTo("API");
            assertThat(names.get((Integer) r.get("to_abstraction"))).isEqualTo("Core");
            assertThat(r.get("label")).isEqualTo("Depends on");
            assertThat((String) r.get("evidence"))
                    .startsWith("2 references")
                    .contains("OrderController.java: import com.acme.core.Order;");
        });
        assertThat(relationships).anySatisfy(r -> {
            assertThat(names.get((Integer) r.get("from_abstraction"))).isEqualTo("Project Root");
            assertThat(names.get((Integer) r.get("to_abstraction"))).isEqualTo("Core");
            assertThat(r.get("label")).isEqualTo("Configures");
            assertThat((String) r.get("evidence")).contains("pom.xml").contains("<module>core</module>");
        });
        assertThat(step2.get("generator")).isEqualTo("fondation-dry-run (no LLM)");
    }

    @Test
    void theOrderPutsTheRootFirstAndCoreBeforeTheApiThatImportsIt() throws IOException {
        Map<String, Object> step3 = yaml("step3_order.yaml");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> order = (List<Map<String, Object>>) step3.get("order");
        List<String> names = order.stream().map(e -> (String) e.get("name")).toList();
        assertThat(names.get(0)).isEqualTo("Project Root");
        assertThat(names.indexOf("Core")).isLessThan(names.indexOf("API"));
        List<String> abstractions = abstractionNames();
        assertThat(order)
                .allSatisfy(e ->
                        assertThat(abstractions.get((Integer) e.get("index"))).isEqualTo(e.get("name")));
        int coreChapter = names.indexOf("Core") + 1;
        assertThat(Files.readString(out.resolve("chapters").resolve("chapter_" + coreChapter + "_core.md")))
                .startsWith("# Chapter " + coreChapter + ": Core")
                .contains("Used by **API**")
                .contains("`core/src/main/java/com/acme/core/Order.java`");
        assertThat(Files.readString(out.resolve("reviewed-chapters").resolve("chapter_" + coreChapter + "_core.md")))
                .contains("## Review notes")
                .contains("All 2 files listed are on disk with the sizes given.");
    }

    @Test
    void aMissingRepositoryFailsWithAnalysisFailedAndTheReasonOnStderr() throws Exception {
        Path missing = temp.resolve("does-not-exist");
        Run failed = runChild(DryRunCommand.argv(missing, temp.resolve("out-missing")), temp);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stdout()).hasSize(1);
        assertThat(JSON.readTree(failed.stdout().get(0)).get("msg").asText()).isEqualTo("Analysis failed");
        assertThat(failed.stderr()).contains(missing.toString()).contains("is not a directory");
        assertThat(new ProgressParser().parse(failed.stdout().get(0))).isEmpty();
    }

    private static List<String> abstractionNames() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) new Yaml().load(read("step1_abstractions.yaml"));
        return list.stream().map(m -> (String) m.get("name")).toList();
    }

    private static Map<String, Object> yaml(String name) {
        return new Yaml().load(read(name));
    }

    private static String read(String name) {
        try {
            return Files.readString(out.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
