package io.fondation.worker.dryrun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes the Fondation CLI's output layout: {@code step1_abstractions.yaml},
 * {@code step2_relationships.yaml}, {@code step3_order.yaml}, {@code chapters/},
 * {@code reviewed-chapters/}, {@code tutorials/}. YAML goes through SnakeYAML, so it is valid
 * whatever the repository's names and lines contain; every file says it was made offline.
 */
final class DryRunOutputWriter {

    static final String STEP1 = "step1_abstractions.yaml";
    static final String STEP2 = "step2_relationships.yaml";
    static final String STEP3 = "step3_order.yaml";
    static final String CHAPTERS = "chapters";
    static final String REVIEWED = "reviewed-chapters";
    static final String TUTORIALS = "tutorials";
    private static final String YAML_HEADER =
            "# Generated offline by " + Facts.GENERATOR + " from the repository's files and imports.\n";

    private final Path outputDir;
    private final Yaml yaml;

    DryRunOutputWriter(Path outputDir) {
        this.outputDir = outputDir;
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(120);
        options.setAllowUnicode(true);
        this.yaml = new Yaml(options);
    }

    /** Step 1: a list of {@code {name, description, file_paths}}. */
    void abstractions(List<Abstraction> abstractions) throws IOException {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Abstraction a : abstractions) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", a.name());
            item.put("description", Facts.description(a));
            item.put(
                    "file_paths",
                    a.files().stream().limit(30).map(SourceFile::path).toList());
            items.add(item);
        }
        yamlFile(STEP1, items);
    }

    /** Step 2: {@code {summary, relationships: [{from_abstraction, to_abstraction, label, evidence}]}}. */
    void relationships(List<Abstraction> abstractions, List<Relationship> relationships) throws IOException {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Relationship r : relationships) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("from_abstraction", r.from());
            item.put("to_abstraction", r.to());
            item.put("label", r.label());
            item.put("evidence", r.evidence());
            items.add(item);
        }
        long dependencies =
                relationships.stream().filter(Relationship::isDependency).count();
        String summary = "Found offline, without an LLM: " + relationships.size() + " relationships among "
                + abstractions.size() + " parts of the repository (" + dependencies
                + " from import statements between directories, the others from the root README and build files naming directories).";
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", summary);
        root.put("relationships", items);
        root.put("generator", Facts.GENERATOR);
        yamlFile(STEP2, root);
    }

    /** Step 3: {@code {order: [{index, name, reasoning}]}}; {@code index} is the abstraction's index in step 1. */
    void order(ChapterPlan plan) throws IOException {
        List<Map<String, Object>> items = new ArrayList<>();
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("index", chapter.abstraction().index());
            item.put("name", chapter.abstraction().name());
            item.put("reasoning", chapter.reasoning());
            items.add(item);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("order", items);
        root.put("generator", Facts.GENERATOR);
        yamlFile(STEP3, root);
    }

    void chapters(ChapterPlan plan, ChapterRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            text(outputDir.resolve(CHAPTERS).resolve(chapter.chapterFileName()), renderer.chapter(chapter));
        }
    }

    void reviewedChapters(ChapterPlan plan, ChapterRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            text(outputDir.resolve(REVIEWED).resolve(chapter.chapterFileName()), renderer.reviewed(chapter));
        }
    }

    void tutorials(ChapterPlan plan, TutorialRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            text(outputDir.resolve(TUTORIALS).resolve(chapter.tutorialFileName()), renderer.tutorial(chapter));
        }
    }

    private void yamlFile(String name, Object content) throws IOException {
        text(outputDir.resolve(name), YAML_HEADER + yaml.dump(content));
    }

    private static void text(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
