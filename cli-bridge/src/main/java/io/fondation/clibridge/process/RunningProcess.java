package io.fondation.clibridge.process;

/** A started child process whose output is being drained and whose timeout is being enforced. */
public interface RunningProcess {

    /** The operating-system id of the child. */
    long pid();

    /** Whether the child (the root of the tree) is still running. */
    boolean isAlive();

    /**
     * Terminates the whole process tree: SIGTERM to the child and all its known descendants,
     * SIGKILL to whatever is left after the grace period. Returns at once; {@link #await()}
     * then reports {@code canceled = true}. Calling it again, or after exit, does nothing.
     */
    void cancel();

    /**
     * Waits until the child has exited, its descendants are gone and its output is drained.
     * The timeout of the {@link ProcessSpec} is enforced internally, so this always returns.
     */
    ProcessOutcome await() throws InterruptedException;
}
