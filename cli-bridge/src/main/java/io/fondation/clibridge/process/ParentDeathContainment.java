package io.fondation.clibridge.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The fallback when no sandbox can be made: {@code setpriv --pdeathsig KILL -- <command>} (util-linux)
 * asks the kernel to SIGKILL the analyzer's main process when the JVM dies, even of SIGKILL.
 *
 * <p>Limits: the signal reaches that one process only. Processes it started (a shell tool, a
 * language server) are re-parented and may keep running until they end by themselves; while the
 * JVM lives, {@link ProcessTree} still kills the whole tree on timeout and cancel. Writes are not
 * confined at all: only the analyzer's own permission rules hold them.
 */
public final class ParentDeathContainment implements Containment {

    private final Path setpriv;
    private final ContainmentStatus status;

    /**
     * @param setpriv the {@code setpriv} executable
     * @param version its version, for the status
     * @param whyNoSandbox why no sandbox is used, for the status
     */
    public ParentDeathContainment(Path setpriv, String version, String whyNoSandbox) {
        this.setpriv = Objects.requireNonNull(setpriv, "setpriv").toAbsolutePath();
        this.status = new ContainmentStatus(
                ContainmentStatus.Level.PARENT_DEATH_SIGNAL,
                "setpriv --pdeathsig" + (version == null || version.isBlank() ? "" : " (" + version + ")"),
                "the analyzer's main process dies with the worker but processes it started may not, and writes"
                        + " are not confined by the system"
                        + (whyNoSandbox == null || whyNoSandbox.isBlank() ? "" : " (" + whyNoSandbox + ")"));
    }

    @Override
    public ContainmentStatus status() {
        return status;
    }

    @Override
    public ProcessSpec wrap(ProcessSpec spec, Confinement confinement) {
        List<String> argv = new ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"));
        argv.addAll(spec.command());
        return new ProcessSpec(argv, spec.workingDirectory(), spec.environment(), spec.timeout(), spec.killGrace());
    }

    @Override
    public String toString() {
        return "ParentDeathContainment[" + setpriv + "]";
    }
}
