package io.fondation.clibridge.process;

import java.util.Objects;

/**
 * What a {@link Containment} guarantees here, and why not more: for start-up logs and health checks.
 *
 * @param level what is guaranteed
 * @param mechanism the tool used, with its version ({@code bubblewrap 0.8.0}), or {@code none}
 * @param detail one sentence: what the level means here and, below {@link Level#SANDBOX}, why
 */
public record ContainmentStatus(Level level, String mechanism, String detail) {

    /** How far a contained process is held. */
    public enum Level {
        /**
         * A sandbox (bubblewrap): the process writes only to its writable directories, sees a private
         * {@code /tmp}, runs in its own PID namespace, and its whole process tree dies with the JVM.
         */
        SANDBOX,
        /**
         * The analyzer runs in a session of its own under a supervisor that a parent-death signal makes kill the
         * whole session when the JVM dies, even of SIGKILL ({@link SessionContainment}); a process that starts a
         * session of its own escapes, and writes are not confined.
         */
        SESSION,
        /**
         * Only a parent-death signal ({@code setpriv --pdeathsig}): the analyzer's main process is
         * killed when the JVM dies, but processes it started may outlive it; writes are not confined.
         */
        PARENT_DEATH_SIGNAL,
        /** Nothing: a JVM killed with SIGKILL leaves the analyzer running; writes are not confined. */
        NONE
    }

    public ContainmentStatus {
        Objects.requireNonNull(level, "level");
        mechanism = mechanism == null || mechanism.isBlank() ? "none" : mechanism;
        detail = detail == null ? "" : detail;
    }

    /** Whether writes outside the writable directories are stopped by the operating system. */
    public boolean confinesWrites() {
        return level == Level.SANDBOX;
    }

    /**
     * Whether the whole process tree dies when the JVM dies, even of SIGKILL (in a {@link Level#SESSION}, every
     * process that stayed in the analyzer's session).
     */
    public boolean treeDiesWithJvm() {
        return level == Level.SANDBOX || level == Level.SESSION;
    }

    /** One line for a log or a health report, e.g. {@code sandbox (bubblewrap 0.8.0): ...}. */
    public String describe() {
        return level.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + mechanism + "): " + detail;
    }
}
