package io.fondation.clibridge.progress;

import io.fondation.shared.Progress;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a stream of lines into a stream of progress updates that never goes backwards and does
 * not repeat itself. Thread-safe.
 *
 * <ul>
 *   <li>a higher step replaces the current progress;</li>
 *   <li>a lower step is ignored (a late or repeated line);</li>
 *   <li>the same step with another message updates the message; the same message is merged;</li>
 *   <li>a line without step number (step 0) only updates the message of the current step.</li>
 * </ul>
 */
public final class ProgressTracker {

    private final ProgressParser parser;
    private Progress current;

    public ProgressTracker(ProgressParser parser) {
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** Parses a line; returns the new progress only when it advanced or its message changed. */
    public Optional<Progress> offer(String line) {
        Optional<Progress> parsed = parser.parse(line);
        return parsed.isEmpty() ? Optional.empty() : offer(parsed.get());
    }

    /** Offers an already parsed progress, with the same rules as {@link #offer(String)}. */
    public synchronized Optional<Progress> offer(Progress progress) {
        Objects.requireNonNull(progress, "progress");
        Progress next;
        if (current == null) {
            next = progress;
        } else if (progress.step() == 0) {
            // A step-less detail: keep the step we reached, show the detail.
            next = new Progress(current.step(), current.totalSteps(), progress.message());
        } else if (progress.isAfter(current)) {
            next = progress;
        } else if (progress.step() == current.step() && progress.totalSteps() == current.totalSteps()) {
            next = progress;
        } else {
            return Optional.empty(); // would go backwards
        }
        if (next.equals(current) || next.message().isEmpty() && current != null && next.step() == current.step()) {
            return Optional.empty();
        }
        current = next;
        return Optional.of(next);
    }

    /** The furthest progress seen so far. */
    public synchronized Optional<Progress> current() {
        return Optional.ofNullable(current);
    }
}
