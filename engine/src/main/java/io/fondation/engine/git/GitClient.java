package io.fondation.engine.git;

/** Which program clones: JGit in the worker's JVM, or the {@code git} command. */
public enum GitClient {
    /** JGit, inside the worker's JVM: works wherever Java does. */
    JGIT,
    /** The {@code git} command (2.32 or newer) as a child process: faster, when it is installed. */
    CLI;

    /**
     * The faster client this machine has: {@link #CLI} when a usable {@code git} is on {@code PATH}, else
     * {@link #JGIT} (measured in docs/performance.md: the command is 1.2–4× faster than JGit on these machines).
     * The first call runs {@code git --version} once; later calls reuse its answer.
     */
    public static GitClient fastestAvailable() {
        return cliAvailable() ? CLI : JGIT;
    }

    /** Whether a usable {@code git} (2.32 or newer) is on {@code PATH}; asked once, then remembered. */
    public static boolean cliAvailable() {
        return GitCommand.available();
    }

    /** The value of {@code GIT_CLIENT} that picks this client: {@code git} or {@code jgit}. */
    public String configName() {
        return this == CLI ? "git" : "jgit";
    }
}
