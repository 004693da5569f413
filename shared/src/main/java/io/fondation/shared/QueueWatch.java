package io.fondation.shared;

/**
 * A subscription to changes a queue pushes ({@link JobQueue#watchWork}, {@link JobQueue#watchCancellation}).
 * Closing it ends the subscription; closing twice is harmless.
 */
public interface QueueWatch extends AutoCloseable {

    /** A watch that never pushes: the worker learns of changes only by polling. */
    QueueWatch NONE = new QueueWatch() {
        @Override
        public boolean isLive() {
            return false;
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "QueueWatch.NONE";
        }
    };

    /**
     * Whether changes are being pushed right now (for example, the socket is connected and the subscription
     * confirmed). While it is not, the worker polls at its normal interval; while it is, only at a long safety
     * interval.
     */
    boolean isLive();

    @Override
    void close();
}
