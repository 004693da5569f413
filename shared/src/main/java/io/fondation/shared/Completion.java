package io.fondation.shared;

import java.util.List;
import java.util.Objects;

/**
 * Everything a completing attempt writes, in one call ({@link JobQueue#complete(JobLease, Completion)}): the
 * documents become the job's course only if the completion is accepted, so a failed, canceled or superseded
 * attempt never leaves documents behind, and never removes any.
 *
 * @param result the job's result
 * @param documents the course, in reading order
 * @param progress the last progress of the attempt, recorded on the job (so a completed job shows how it
 *     ended, not an earlier throttled heartbeat), or {@code null} to keep what the row has
 */
public record Completion(JobResult result, List<Document> documents, Progress progress) {

    public Completion {
        Objects.requireNonNull(result, "result");
        documents = List.copyOf(documents);
    }

    /** A completion without documents and without progress. */
    public static Completion of(JobResult result) {
        return new Completion(result, List.of(), null);
    }
}
