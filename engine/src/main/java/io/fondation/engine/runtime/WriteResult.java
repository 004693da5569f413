package io.fondation.engine.runtime;

import io.fondation.shared.JobQueueException;
import java.util.Objects;

/** What became of a write to the queue ({@link QueueWriter#write}): a value, or why there is none. */
sealed interface WriteResult<T> {

    /** The queue answered. */
    record Written<T>(T value) implements WriteResult<T> {}

    /** The queue stayed unreachable for every try the lease allowed. */
    record Unreachable<T>(JobQueueException error) implements WriteResult<T> {
        public Unreachable {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The queue refused the request itself (bad input, a wrong secret): trying again would not help. */
    record Refused<T>(JobQueueException error) implements WriteResult<T> {
        public Refused {
            Objects.requireNonNull(error, "error");
        }
    }
}
