package io.fondation.shared;

/** What a checkpoint write did. */
public enum CheckpointWrite {
    /** Written. */
    SAVED,
    /** Refused by the fence ({@link CheckpointFence}); nothing changed. */
    NOT_HELD,
    /**
     * {@link JobQueue#finishCheckpoint} only: the checkpoint does not hold exactly the files named (of that basis), so
     * it is not marked finished; nothing changed.
     */
    INCOMPLETE
}
