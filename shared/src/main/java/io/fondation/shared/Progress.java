package io.fondation.shared;

/**
 * How far a job has come: step {@code step} of {@code totalSteps}, with a human message.
 *
 * @param step the current step, 0 before the first one
 * @param totalSteps the number of steps (6 for the Fondation CLI)
 * @param message the text shown in the UI
 */
public record Progress(int step, int totalSteps, String message) {

    /** The Fondation CLI's number of steps. */
    public static final int FONDATION_STEPS = 6;

    public Progress {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be at least 1, was " + totalSteps);
        }
        if (step < 0 || step > totalSteps) {
            throw new IllegalArgumentException("step " + step + " is outside 0.." + totalSteps);
        }
        message = message == null ? "" : message;
    }

    /** Progress before any step ran. */
    public static Progress starting(String message) {
        return new Progress(0, FONDATION_STEPS, message);
    }

    /** Whether this is further along than {@code other} (used so progress never goes backwards). */
    public boolean isAfter(Progress other) {
        return other == null || step > other.step;
    }
}
