package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputCollectorTest {

    @TempDir
    Path out;

    @TempDir
    Path elsewhere;

    private final OutputCollector collector = new OutputCollector(OutputLimits.defaults());

    @Test
    void turnsACompleteOutputIntoDocumentsInReadingOrder() {
        OutputTree.writeComplete(out);
        CollectedOutput collected = collector.collect(out);

        assertThat(collected.documents())
                .extracting(Document::slug)
                .containsExactly(
                        "step1_abstractions.yaml",
                        "step2_relationships.yaml",
                        "step3_order.yaml",
                        "chapters/chapter_1_job-queue.md",
                        "chapters/chapter_2_worker.md",
                        "chapters/chapter_10_appendix.md",
                        "reviewed-chapters/chapter_1_job-queue.md",
                        "reviewed-chapters/chapter_2_worker.md",
                        "tutorials/tutorial_1_job-queue.md");
        assertThat(collected.documents())
                .extracting(Document::title)
                .containsExactly(
                        "Abstractions",
                        "Relationships",
                        "Chapter Order",
                        "Chapter 1: Job Queue",
                        "Chapter 2: Worker",
                        "Chapter 10: Appendix",
                        "Reviewed: Chapter 1: Job Queue",
                        "Reviewed: Chapter 2: Worker",
                        "Tutorial: Interactive Tutorial: Job Queue");
        assertThat(collected.documents())
                .extracting(Document::kind)
                .containsExactly(
                        DocumentKind.YAML,
                        DocumentKind.YAML,
                        DocumentKind.YAML,
                        DocumentKind.CHAPTER,
                        DocumentKind.CHAPTER,
                        DocumentKind.CHAPTER,
                        DocumentKind.CHAPTER,
                        DocumentKind.CHAPTER,
                        DocumentKind.TUTORIAL);
        assertThat(collected.documents())
                .extracting(Document::chapterIndex)
                .containsExactly(null, null, null, 1, 2, 10, 1, 2, 1);
        assertThat(collected.documents().get(4).content()).isEqualTo("# Chapter 2: Worker\n\nThe worker polls.\n");
        assertThat(collected.warnings()).isEmpty();
    }

    @Test
    void yamlDocumentsAreStoredAsJson() {
        OutputTree.writeYaml(out);
        List<Document> docs = collector.collect(out).documents();
        assertThat(docs.get(0).content())
                .startsWith(
                        "[\n  {\n    \"name\": \"Job Queue\",\n    \"description\": "
                                + "\"Stores jobs and hands them to workers under a lease.\\n\",\n    \"file_paths\": [\n      \"src/queue.ts\",");
        assertThat(docs.get(0).content()).contains("\"file_paths\": []");
        assertThat(docs.get(1).content()).contains("\"from_abstraction\": 1,");
        assertThat(docs.get(2).content()).contains("\"reasoning\": \"Everything starts with a job.\"");
    }

    @Test
    void aSymlinkToAFileOutsideIsRefused() throws Exception {
        OutputTree.writeComplete(out);
        Path secret = OutputTree.write(elsewhere.resolve("secret.md"), "# Secret\n\ntest-secret\n");
        Files.createSymbolicLink(out.resolve("chapters/chapter_3_leak.md"), secret);

        assertThatThrownBy(() -> collector.collect(out))
                .isInstanceOf(OutputException.class)
                .hasMessage("chapters/chapter_3_leak.md: is a symbolic link; refused (links are never followed)");
        PartialOutput partial = collector.collectPartial(out);
        assertThat(partial.documents()).hasSize(9).noneMatch(d -> d.content().contains("test-secret"));
        assertThat(partial.problems()).extracting(OutputException::file).containsExactly("chapters/chapter_3_leak.md");
    }

    @Test
    void symlinkedYamlAndDirectoriesAreRefused() throws Exception {
        OutputTree.writeYaml(elsewhere);
        Files.createSymbolicLink(out.resolve("step1_abstractions.yaml"), elsewhere.resolve("step1_abstractions.yaml"));
        Files.createDirectories(elsewhere.resolve("tut"));
        OutputTree.write(elsewhere.resolve("tut/tutorial_1_x.md"), "# X\n\ntest-secret\n");
        Files.createSymbolicLink(out.resolve("tutorials"), elsewhere.resolve("tut"));

        PartialOutput partial = collector.collectPartial(out);
        assertThat(partial.documents()).isEmpty();
        assertThat(partial.problems())
                .extracting(Throwable::getMessage)
                .containsExactly(
                        "step1_abstractions.yaml: is a symbolic link; refused (links are never followed)",
                        "tutorials: is a symbolic link; refused");
    }

    @Test
    void aHugeFileIsRefusedWithoutBeingRead() throws Exception {
        OutputTree.writeComplete(out);
        // A sparse 8 GiB file: reading it would take minutes and exhaust the heap.
        try (RandomAccessFile file =
                new RandomAccessFile(out.resolve("chapters/chapter_4_huge.md").toFile(), "rw")) {
            file.setLength(8L << 30);
        }
        assertThatThrownBy(() -> collector.collect(out))
                .isInstanceOf(OutputException.class)
                .hasMessage("chapters/chapter_4_huge.md: is 8589934592 bytes, more than the limit of 1048576");
    }

    @Test
    void fileCountAndTotalSizeAreCapped() {
        OutputTree.writeComplete(out);
        OutputCollector few = new OutputCollector(new OutputLimits(5, 1024, 1024 * 1024));
        assertThatThrownBy(() -> few.collect(out))
                .isInstanceOf(OutputException.class)
                .hasMessageContaining("more than 5 output files");

        OutputCollector small = new OutputCollector(new OutputLimits(100, 512, 700));
        assertThatThrownBy(() -> small.collect(out))
                .isInstanceOf(OutputException.class)
                .hasMessageContaining("output exceeds 700 bytes in total");
    }

    @Test
    void emptyChaptersAreRejected() {
        OutputTree.writeComplete(out);
        OutputTree.write(out.resolve("chapters/chapter_3_empty.md"), " \n\n\t\n");
        assertThatThrownBy(() -> collector.collect(out)).hasMessage("chapters/chapter_3_empty.md: empty chapter");
    }

    @Test
    void invalidUtf8IsAClearError() throws Exception {
        OutputTree.writeComplete(out);
        Files.write(
                out.resolve("tutorials/tutorial_2_bad.md"),
                new byte[] {'#', ' ', 'B', 'a', 'd', '\n', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> collector.collect(out))
                .hasMessage("tutorials/tutorial_2_bad.md: is not valid UTF-8 (invalid byte sequence at byte offset 6)");
    }

    @Test
    void aRunThatFailedAtStepFourStillYieldsStepsOneToThree() {
        OutputTree.writeYaml(out);
        OutputTree.write(out.resolve("chapters/chapter_1_job-queue.md"), "");
        PartialOutput partial = collector.collectPartial(out);
        assertThat(partial.documents())
                .extracting(Document::slug)
                .containsExactly("step1_abstractions.yaml", "step2_relationships.yaml", "step3_order.yaml");
        assertThat(partial.problems())
                .extracting(Throwable::getMessage)
                .containsExactly("chapters/chapter_1_job-queue.md: empty chapter");
    }

    @Test
    void relationshipsMustPointAtExistingAbstractions() {
        OutputTree.writeYaml(out);
        OutputTree.write(
                out.resolve("step2_relationships.yaml"),
                "summary: s\nrelationships:\n"
                        + "  - {from_abstraction: 0, to_abstraction: 1, label: ok}\n"
                        + "  - {from_abstraction: 2, to_abstraction: 7, label: broken}\n");
        assertThatThrownBy(() -> collector.collect(out))
                .hasMessage(
                        "step2_relationships.yaml: relationships[1].to_abstraction: 7 is not an abstraction index (0..2 in step1_abstractions.yaml)");
        PartialOutput partial = collector.collectPartial(out);
        assertThat(partial.documents())
                .extracting(Document::slug)
                .containsExactly("step1_abstractions.yaml", "step3_order.yaml");
    }

    @Test
    void titlesFallBackToTheFileNameAndUnnumberedFilesComeLast() {
        OutputTree.write(out.resolve("chapters/chapter_2_b.md"), "No heading here, only text.\n");
        OutputTree.write(out.resolve("chapters/appendix.md"), "Appendix\n========\n\ntext\n");
        OutputTree.write(out.resolve("chapters/chapter_1_a.md"), "```\n# not a heading\n```\n## Real heading ##\n");
        OutputTree.write(out.resolve("chapters/notes.txt"), "ignored");
        CollectedOutput collected = collector.collect(out);
        assertThat(collected.documents())
                .extracting(Document::title)
                .containsExactly("Real heading", "chapter_2_b", "Appendix");
        assertThat(collected.documents()).extracting(Document::chapterIndex).containsExactly(1, 2, null);
        assertThat(collected.warnings())
                .containsExactlyInAnyOrder(
                        "chapters/notes.txt: not a Markdown file; ignored",
                        "chapters/chapter_2_b.md: no heading; titled after the file name",
                        "chapters/appendix.md: no numeric index in the file name; ordered last");
    }

    @Test
    void aMissingOutputDirectoryIsNamed() {
        Path missing = out.resolve("nope");
        assertThatThrownBy(() -> collector.collect(missing))
                .isInstanceOf(OutputException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toString());
        assertThat(collector.collect(out).documents()).isEmpty();
    }

    @Test
    void aBomIsDroppedAndIndexParsingIsNumeric() {
        OutputTree.write(out.resolve("tutorials/tutorial_007_x.md"), "\uFEFF# Seven\n");
        assertThat(collector.collect(out).documents().get(0))
                .isEqualTo(new Document(
                        "tutorials/tutorial_007_x.md", "Tutorial: Seven", 7, DocumentKind.TUTORIAL, "# Seven\n"));
        assertThat(OutputCollector.indexOf("chapter_12_a_3.md")).isEqualTo(12);
        assertThat(OutputCollector.indexOf("01-intro.md")).isEqualTo(1);
        assertThat(OutputCollector.indexOf("intro.md")).isNull();
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new OutputLimits(0, 1, 1)).hasMessageContaining("maxFiles");
        assertThatThrownBy(() -> new OutputLimits(1, 0, 1)).hasMessageContaining("maxFileBytes");
        assertThatThrownBy(() -> new OutputLimits(1, 10, 5)).hasMessageContaining("maxTotalBytes");
    }
}
