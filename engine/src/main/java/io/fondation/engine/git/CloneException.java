package io.fondation.engine.git;

import io.fondation.shared.FondationException;
import io.fondation.shared.JobFailure;
import java.util.Objects;

/** A clone failed; {@link #failure()} says why and whether the job is worth retrying. Never carries credentials. */
public final class CloneException extends FondationException {

    private final transient JobFailure failure;

    public CloneException(JobFailure failure, Throwable cause) {
        super(Objects.requireNonNull(failure, "failure").message(), cause);
        this.failure = failure;
    }

    public JobFailure failure() {
        return failure;
    }
}
