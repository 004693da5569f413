package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobQueueException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DocumentBatchesTest {

    private static Document doc(String slug, int bytes) {
        return new Document(slug, slug, 1, DocumentKind.CHAPTER, "x".repeat(bytes));
    }

    @Test
    void keepsOrderAndFillsBatchesUpToTheByteLimit() {
        List<Document> documents = List.of(doc("a", 40), doc("b", 40), doc("c", 40), doc("d", 10));

        List<List<Document>> batches = DocumentBatches.split(documents, 50, 100, 10);

        assertThat(batches)
                .extracting(b -> b.stream().map(Document::slug).toList())
                .containsExactly(List.of("a", "b"), List.of("c", "d"));
    }

    @Test
    void limitsTheNumberOfDocumentsPerBatch() {
        List<Document> documents =
                IntStream.range(0, 5).mapToObj(i -> doc("d" + i, 1)).toList();

        assertThat(DocumentBatches.split(documents, 50, 100, 2))
                .extracting(List::size)
                .containsExactly(2, 2, 1);
    }

    @Test
    void countsUtf8BytesNotCharacters() {
        Document accented = new Document("é", "é", 1, DocumentKind.CHAPTER, "é".repeat(30)); // 60 bytes
        assertThatThrownBy(() -> DocumentBatches.split(List.of(accented), 50, 100, 10))
                .isInstanceOf(JobQueueException.Rejected.class)
                .hasMessageContaining("60 bytes");
    }

    @Test
    void anOversizedDocumentIsRejectedByItsSlugBeforeAnyBatch() {
        List<Document> documents = List.of(doc("fine", 10), doc("chapters/huge.md", 51));

        assertThatThrownBy(() -> DocumentBatches.split(documents, 50, 100, 10))
                .isInstanceOf(JobQueueException.Rejected.class)
                .hasMessageContaining("chapters/huge.md")
                .hasMessageContaining("51 bytes");
    }

    @Test
    void realLimitsSplitTwentyMegabytesIntoThreeCalls() {
        List<Document> documents =
                IntStream.range(0, 25).mapToObj(i -> doc("c" + i, 800 * 1024)).toList();

        List<List<Document>> batches = DocumentBatches.split(documents);

        assertThat(batches).hasSize(3);
        assertThat(batches)
                .allSatisfy(batch -> assertThat(
                                batch.stream().mapToLong(Document::contentBytes).sum())
                        .isLessThanOrEqualTo(DocumentBatches.MAX_BATCH_BYTES));
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(25);
        assertThat(DocumentBatches.split(List.of())).isEmpty();
        assertThatThrownBy(() -> DocumentBatches.split(List.of(doc("big", DocumentBatches.MAX_DOCUMENT_BYTES + 1))))
                .isInstanceOf(JobQueueException.Rejected.class);
    }
}
