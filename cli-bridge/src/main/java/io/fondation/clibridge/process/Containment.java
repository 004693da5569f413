package io.fondation.clibridge.process;

/**
 * Runs a child inside operating-system limits: rewrites a {@link ProcessSpec} so that the same
 * command runs confined. Usable for every analyzer kind; {@link ContainmentProbe#detect()} picks
 * the strongest one available here and says why it is not stronger.
 */
public interface Containment {

    /** What this containment guarantees here. */
    ContainmentStatus status();

    /**
     * The spec to run instead of {@code spec}: the same command, working directory, environment and
     * limits, run inside the containment.
     *
     * @param confinement what the process may touch (containments that cannot confine writes ignore it)
     * @throws IllegalArgumentException when a directory of the confinement does not exist
     */
    ProcessSpec wrap(ProcessSpec spec, Confinement confinement);

    /** No containment at all; {@code why} says why (it ends up in the status). */
    static Containment none(String why) {
        ContainmentStatus status = new ContainmentStatus(
                ContainmentStatus.Level.NONE,
                "none",
                "a worker killed with SIGKILL leaves its analyzer running, and writes are confined only by the"
                        + " analyzer's own rules" + (why == null || why.isBlank() ? "" : " (" + why + ")"));
        return new Containment() {
            @Override
            public ContainmentStatus status() {
                return status;
            }

            @Override
            public ProcessSpec wrap(ProcessSpec spec, Confinement confinement) {
                return spec;
            }
        };
    }
}
