package io.fondation.dryrun;

import io.fondation.clibridge.output.Abstraction;
import io.fondation.clibridge.output.ChapterOrder;
import io.fondation.clibridge.output.ChapterOrderEntry;
import io.fondation.clibridge.output.Relationship;
import io.fondation.clibridge.output.Relationships;
import io.fondation.clibridge.output.StepFileWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    private final Path outputDir;
    private final StepFileWriter steps = new StepFileWriter(
            "Generated offline by " + Facts.GENERATOR + " from the repository's files and imports.", Facts.GENERATOR);

    private final boolean keepExisting;

    DryRunOutputWriter(Path outputDir) {
        this(outputDir, false);
    }

    /** @param keepExisting whether steps 4 to 6 leave a file that exists as it is (the CLI's rule under --steps) */
    DryRunOutputWriter(Path outputDir, boolean keepExisting) {
        this.outputDir = outputDir;
        this.keepExisting = keepExisting;
    }

    /** Step 1: a list of {@code {name, description, file_paths}}. */
    void abstractions(List<Topic> abstractions) throws IOException {
        List<Abstraction> items = abstractions.stream()
                .map(topic -> new Abstraction(
                        topic.name(),
                        Facts.description(topic),
                        topic.files().stream().limit(30).map(SourceFile::path).toList()))
                .toList();
        text(outputDir.resolve(STEP1), steps.abstractions(items));
    }

    /** Step 2: {@code {summary, relationships: [{from_abstraction, to_abstraction, label, evidence}]}}. */
    void relationships(List<Topic> abstractions, List<Link> links) throws IOException {
        long dependencies = links.stream().filter(Link::isDependency).count();
        String summary = "Found offline, without an LLM: " + links.size() + " relationships among "
                + abstractions.size() + " parts of the repository (" + dependencies
                + " from import statements between directories, the others from the root README and build files"
                + " naming directories).";
        List<Relationship> items = links.stream()
                .map(link -> new Relationship(link.from(), link.to(), link.label(), link.evidence()))
                .toList();
        text(outputDir.resolve(STEP2), steps.relationships(new Relationships(summary, items)));
    }

    /** Step 3: {@code {order: [{index, name, reasoning}]}}; {@code index} is the abstraction's index in step 1. */
    void order(ChapterPlan plan) throws IOException {
        List<ChapterOrderEntry> entries = plan.chapters().stream()
                .map(chapter -> new ChapterOrderEntry(
                        chapter.abstraction().index(), chapter.abstraction().name(), chapter.reasoning()))
                .toList();
        text(outputDir.resolve(STEP3), steps.order(new ChapterOrder(entries)));
    }

    void chapters(ChapterPlan plan, ChapterRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            markdown(outputDir.resolve(CHAPTERS).resolve(chapter.chapterFileName()), renderer.chapter(chapter));
        }
    }

    void reviewedChapters(ChapterPlan plan, ChapterRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            markdown(outputDir.resolve(REVIEWED).resolve(chapter.chapterFileName()), renderer.reviewed(chapter));
        }
    }

    void tutorials(ChapterPlan plan, TutorialRenderer renderer) throws IOException {
        for (ChapterPlan.Chapter chapter : plan.chapters()) {
            markdown(outputDir.resolve(TUTORIALS).resolve(chapter.tutorialFileName()), renderer.tutorial(chapter));
        }
    }

    /** A step 4 to 6 file: kept when it exists and {@code keepExisting} (an empty one too, as the CLI does). */
    private void markdown(Path file, String content) throws IOException {
        if (keepExisting && Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        text(file, content);
    }

    private static void text(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
