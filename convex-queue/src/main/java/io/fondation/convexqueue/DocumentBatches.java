package io.fondation.convexqueue;

import io.fondation.shared.Document;
import io.fondation.shared.JobQueueException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits documents into calls that fit Convex's limits: 1 MiB per stored document and 16 MiB per
 * function argument. A document whose content exceeds {@link #MAX_DOCUMENT_BYTES} (900 KiB of
 * UTF-8, leaving room for the other fields of the row) is refused, naming its slug, before any
 * call is made: splitting a chapter would change what readers see. Batches hold at most
 * {@link #MAX_BATCH_BYTES} of content (8 MiB, half the argument limit, since JSON escaping can
 * grow the payload) and at most {@link #MAX_BATCH_DOCUMENTS} documents.
 */
final class DocumentBatches {

    /** The largest content stored as one document (UTF-8 bytes). */
    static final int MAX_DOCUMENT_BYTES = 900 * 1024;
    /** The most content sent in one call (UTF-8 bytes). */
    static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    /** The most documents sent in one call. */
    static final int MAX_BATCH_DOCUMENTS = 200;

    private DocumentBatches() {}

    /**
     * @throws JobQueueException.Rejected naming the first document that is too large
     */
    static List<List<Document>> split(List<Document> documents) {
        return split(documents, MAX_DOCUMENT_BYTES, MAX_BATCH_BYTES, MAX_BATCH_DOCUMENTS);
    }

    static List<List<Document>> split(
            List<Document> documents, int maxDocumentBytes, int maxBatchBytes, int maxBatchDocuments) {
        // One pass: nothing is sent before split returns, so refusing mid-way still stores nothing,
        // and each content is encoded to UTF-8 only once.
        List<List<Document>> batches = new ArrayList<>();
        List<Document> current = new ArrayList<>();
        long currentBytes = 0;
        for (Document document : documents) {
            int size = document.contentBytes();
            if (size > maxDocumentBytes) {
                throw new JobQueueException.Rejected("document " + document.slug() + " is " + size
                        + " bytes, more than the " + maxDocumentBytes + " bytes a Convex document may hold");
            }
            if (!current.isEmpty() && (currentBytes + size > maxBatchBytes || current.size() >= maxBatchDocuments)) {
                batches.add(List.copyOf(current));
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(document);
            currentBytes += size;
        }
        if (!current.isEmpty()) {
            batches.add(List.copyOf(current));
        }
        return batches;
    }
}
