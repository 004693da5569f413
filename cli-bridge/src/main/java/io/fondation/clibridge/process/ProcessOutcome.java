package io.fondation.clibridge.process;

import java.time.Duration;
import java.util.Objects;

/**
 * How a child process ended.
 *
 * @param exitCode the exit status, or -1 if the process was killed by a signal
 * @param signal the signal that killed it, or {@code null} if none is known
 * @param duration from start to exit
 * @param timedOut whether it was terminated because it ran past its timeout
 * @param canceled whether it was terminated because {@link RunningProcess#cancel()} was called
 * @param stdoutTail the last bytes of stdout (bounded, decoded leniently; raw, so redact before storing)
 * @param stderrTail the last bytes of stderr (bounded, decoded leniently; raw, so redact before storing)
 */
public record ProcessOutcome(
        int exitCode,
        Integer signal,
        Duration duration,
        boolean timedOut,
        boolean canceled,
        String stdoutTail,
        String stderrTail) {

    public ProcessOutcome {
        Objects.requireNonNull(duration, "duration");
        stdoutTail = stdoutTail == null ? "" : stdoutTail;
        stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** Exit status 0, neither timed out nor canceled. */
    public boolean succeeded() {
        return exitCode == 0 && signal == null && !timedOut && !canceled;
    }

    /** A short human description: "exit code 2", "killed by signal 9 (SIGKILL)", plus timeout/cancel. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (signal != null) {
            text.append("killed by signal ").append(signal).append(Signals.name(signal));
        } else {
            text.append("exit code ").append(exitCode);
        }
        if (timedOut) {
            text.append(", timed out");
        }
        if (canceled) {
            text.append(", canceled");
        }
        return text.toString();
    }
}
