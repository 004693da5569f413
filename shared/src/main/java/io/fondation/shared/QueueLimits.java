package io.fondation.shared;

import java.util.List;

/**
 * What a queue can store, so the worker checks it before writing rather than learning it from a refused write.
 *
 * @param maxDocumentContentBytes the largest document content, in UTF-8 bytes
 */
public record QueueLimits(int maxDocumentContentBytes) {

    /**
     * 900 KiB: a Convex document holds at most 1 MiB including its other fields; the embedded queue uses the same
     * limit so a course that fits one backend fits the other.
     */
    public static final int DEFAULT_MAX_DOCUMENT_CONTENT_BYTES = 900 * 1024;

    /** The defaults of both backends. */
    public static final QueueLimits DEFAULT = new QueueLimits(DEFAULT_MAX_DOCUMENT_CONTENT_BYTES);

    public QueueLimits {
        if (maxDocumentContentBytes < 1) {
            throw new IllegalArgumentException(
                    "maxDocumentContentBytes must be positive, was " + maxDocumentContentBytes);
        }
    }

    /**
     * Checks documents against the limits.
     *
     * @throws JobQueueException.Rejected naming the first document that does not fit
     */
    public void requireFits(List<Document> documents) {
        for (Document document : documents) {
            int size = document.contentBytes();
            if (size > maxDocumentContentBytes) {
                throw new JobQueueException.Rejected("document '" + document.slug() + "' is " + size
                        + " bytes; the queue stores at most " + maxDocumentContentBytes + " bytes per document");
            }
        }
    }
}
