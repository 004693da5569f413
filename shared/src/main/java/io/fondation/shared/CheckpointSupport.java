package io.fondation.shared;

import java.util.Objects;

/**
 * Whether a queue keeps checkpoints ({@link JobQueue#checkpointSupport()}), and when it does not, why: the worker
 * says it at start-up, and its retried jobs then rerun their analysis from the start.
 *
 * @param supported whether the checkpoint calls of {@link JobQueue} work
 * @param reason why not, for the log; empty when supported
 */
public record CheckpointSupport(boolean supported, String reason) {

    /** A queue that keeps checkpoints. */
    public static final CheckpointSupport SUPPORTED = new CheckpointSupport(true, "");

    public CheckpointSupport {
        Objects.requireNonNull(reason, "reason");
        if (!supported && reason.isBlank()) {
            throw new IllegalArgumentException("an unsupported checkpoint store must say why");
        }
    }

    /** A queue that keeps none, and why. */
    public static CheckpointSupport unsupported(String reason) {
        return new CheckpointSupport(false, reason);
    }
}
