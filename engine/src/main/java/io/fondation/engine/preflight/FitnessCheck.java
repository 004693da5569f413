package io.fondation.engine.preflight;

import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import java.util.Optional;

/**
 * A check of the worker's own fitness to run jobs (the analyzer can start, {@code TEMP_DIR} is writable and has
 * room): run once at start-up, where a problem stops the worker with its message, and again while a worker
 * fault is open, before the worker tries a job again.
 */
public interface FitnessCheck {

    /** A short name for logs and {@code /health} ({@code analyzer}, {@code workspace}). */
    String name();

    /** The kind of worker fault a problem found by this check is. */
    FailureKind faultKind();

    /**
     * Runs the check.
     *
     * @return the problem, naming the setting to fix, or empty when fine
     */
    Optional<ConfigurationException> problem();
}
