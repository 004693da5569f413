package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.shared.Document;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.QueueLimits;
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

    /** The largest content stored as one document (UTF-8 bytes), unless the deployment says otherwise. */
    static final int MAX_DOCUMENT_BYTES = QueueLimits.DEFAULT_MAX_DOCUMENT_CONTENT_BYTES;
    /** The most content sent in one call (UTF-8 bytes). */
    static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    /** The most documents sent in one call. */
    static final int MAX_BATCH_DOCUMENTS = 200;

    private DocumentBatches() {}

    /**
     * The limits a deployment advertises in {@code queue:capabilities} ({@code limits}), or these defaults for
     * the legacy functions, which advertise none.
     *
     * @param maxDocumentBytes the largest content of one document (UTF-8 bytes)
     * @param maxBatchBytes the most content sent in one call
     * @param maxBatchDocuments the most documents sent in one call
     */
    record Limits(int maxDocumentBytes, int maxBatchBytes, int maxBatchDocuments) {

        static final Limits DEFAULT = new Limits(MAX_DOCUMENT_BYTES, MAX_BATCH_BYTES, MAX_BATCH_DOCUMENTS);

        Limits {
            if (maxDocumentBytes < 1 || maxBatchBytes < maxDocumentBytes || maxBatchDocuments < 1) {
                throw new IllegalArgumentException("inconsistent document limits: " + maxDocumentBytes
                        + " per document, " + maxBatchBytes + " and " + maxBatchDocuments + " documents per call");
            }
        }

        /** The limits in {@code capabilities.limits}; what is missing keeps its default. */
        static Limits fromCapabilities(JsonNode capabilities) {
            JsonNode limits = capabilities == null ? null : capabilities.get("limits");
            if (limits == null || !limits.isObject()) {
                return DEFAULT;
            }
            // why: a batch never exceeds our own conservative cap, whatever the deployment allows.
            return new Limits(
                    JobRows.integer(limits, "maxDocumentContentBytes", MAX_DOCUMENT_BYTES),
                    Math.min(JobRows.integer(limits, "maxBatchContentBytes", MAX_BATCH_BYTES), MAX_BATCH_BYTES),
                    Math.min(JobRows.integer(limits, "maxBatchFiles", MAX_BATCH_DOCUMENTS), MAX_BATCH_DOCUMENTS));
        }

        QueueLimits queueLimits() {
            return new QueueLimits(maxDocumentBytes);
        }

        List<List<Document>> split(List<Document> documents) {
            return DocumentBatches.split(documents, maxDocumentBytes, maxBatchBytes, maxBatchDocuments);
        }
    }

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
