package io.fondation.shared;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's checkpoint as a queue stores it: the output files an earlier attempt completed, and what they were made
 * from. Never part of the job's course: the course is written by a completing attempt only
 * ({@link JobQueue#complete}).
 *
 * @param jobId the job
 * @param basis what every file was made from (a save with another basis replaces the whole checkpoint)
 * @param files the files, by path
 * @param finished whether an attempt's analyzer ended successfully with exactly these files
 *     ({@link JobQueue#finishCheckpoint}): the next attempt can complete from them without running the analyzer
 * @param updatedAt when the checkpoint was last opened or written
 */
public record Checkpoint(
        String jobId, CheckpointBasis basis, List<CheckpointFile> files, boolean finished, Instant updatedAt) {

    /**
     * A checkpoint not opened or written for this long is an orphan, and the queue deletes it whatever its job's
     * state.
     */
    public static final Duration ORPHAN_AFTER = Duration.ofDays(7);

    /** The most files one checkpoint holds; a save of one more is refused. */
    public static final int MAX_FILES = 1_000;

    public Checkpoint {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(updatedAt, "updatedAt");
        files = files.stream()
                .sorted(Comparator.comparing(CheckpointFile::path))
                .toList();
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i).path().equals(files.get(i - 1).path())) {
                throw new IllegalArgumentException(
                        "checkpoint file " + files.get(i).path() + " appears twice");
            }
        }
    }

    /** The file at {@code path}, if the checkpoint has it. */
    public Optional<CheckpointFile> file(String path) {
        return files.stream().filter(file -> file.path().equals(path)).findFirst();
    }

    /** Path to content, in path order. */
    public Map<String, String> contents() {
        Map<String, String> contents = new LinkedHashMap<>();
        files.forEach(file -> contents.put(file.path(), file.content()));
        return contents;
    }

    /** The UTF-8 size of all the files. */
    public long contentBytes() {
        return files.stream().mapToLong(CheckpointFile::contentBytes).sum();
    }
}
