package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentReadingOrderTest {

    @Test
    void chapterTenComesAfterChapterTwo() {
        Document ch2 = doc("chapters/chapter_2_b.md", 2, DocumentKind.CHAPTER);
        Document ch10 = doc("chapters/chapter_10_a.md", 10, DocumentKind.CHAPTER);
        Document ch1 = doc("chapters/chapter_1_c.md", 1, DocumentKind.CHAPTER);

        assertThat(DocumentReadingOrder.sorted(List.of(ch10, ch2, ch1))).containsExactly(ch1, ch2, ch10);
    }

    @Test
    void groupsComeInReadingOrder() {
        Document toc = doc("toc.md", null, DocumentKind.TOC);
        Document tutorial = doc("tutorials/tutorial_1_x.md", 1, DocumentKind.TUTORIAL);
        Document reviewed = doc("reviewed-chapters/chapter_1_x.md", 1, DocumentKind.CHAPTER);
        Document chapter = doc("chapters/chapter_3_x.md", 3, DocumentKind.CHAPTER);
        Document yamlB = doc("step2_relationships.yaml", null, DocumentKind.YAML);
        Document yamlA = doc("step1_abstractions.yaml", null, DocumentKind.YAML);

        assertThat(DocumentReadingOrder.sorted(List.of(toc, tutorial, reviewed, chapter, yamlB, yamlA)))
                .containsExactly(yamlA, yamlB, chapter, reviewed, tutorial, toc);
    }

    @Test
    void missingIndexIsReadFromTheFileNameAndOtherwiseSortsLast() {
        Document named12 = doc("chapters/chapter_12_late.md", null, DocumentKind.CHAPTER);
        Document indexed3 = doc("chapters/chapter_3_mid.md", 3, DocumentKind.CHAPTER);
        Document unnumbered = doc("chapters/appendix.md", null, DocumentKind.CHAPTER);
        Document named9 = doc("chapters/chapter_9.md", null, DocumentKind.CHAPTER);

        assertThat(DocumentReadingOrder.sorted(List.of(unnumbered, named12, indexed3, named9)))
                .containsExactly(indexed3, named9, named12, unnumbered);
    }

    @Test
    void equalIndexesFallBackToTheSlug() {
        Document b = doc("chapters/chapter_1_b.md", 1, DocumentKind.CHAPTER);
        Document a = doc("chapters/chapter_1_a.md", 1, DocumentKind.CHAPTER);

        assertThat(DocumentReadingOrder.sorted(List.of(b, a))).containsExactly(a, b);
    }

    @Test
    void chaptersTitledReviewedByTheExistingWorkerComeAfterTheChapters() {
        Document reviewed = new Document("chapter-1-reviewed", "Reviewed: Intro", 1, DocumentKind.CHAPTER, "# Intro\n");
        Document chapter = new Document("chapter-2", "Setup", 2, DocumentKind.CHAPTER, "# Setup\n");

        assertThat(DocumentReadingOrder.sorted(List.of(reviewed, chapter))).containsExactly(chapter, reviewed);
    }

    private static Document doc(String slug, Integer index, DocumentKind kind) {
        return new Document(slug, slug, index, kind, "content of " + slug);
    }
}
