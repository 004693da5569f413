package io.fondation.clibridge.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ties an analyzer's whole process tree to the JVM's life without confining it: for analyzers that must keep
 * writing where they write today and see their real process ids (the Fondation CLI, a command, the dry-run
 * analyzer). The command runs under a small {@code sh} supervisor in a session of its own
 * ({@code setpriv --pdeathsig USR2 -- setsid sh -c ...}, util-linux): when the JVM dies, even of SIGKILL, the kernel
 * sends the supervisor SIGUSR2, and the supervisor SIGKILLs every process of its session ({@code pkill -s}, or its
 * process group where {@code pkill} is missing), itself included.
 *
 * <p>While the JVM lives nothing changes: the supervisor ignores SIGTERM (with a handler, so the analyzer does not
 * inherit the ignoring), {@link ProcessTree} still terminates the whole tree on timeout and cancel with its grace
 * period, and the supervisor exits with the analyzer's status (128+N when a signal N killed it, which the runner
 * reads as that signal).
 *
 * <p>Limits: a process of the tree that starts a session of its own ({@code setsid}) leaves the session and is not
 * killed; writes are not confined at all.
 */
public final class SessionContainment implements Containment {

    /** The supervisor: runs {@code "$@"} in the background and waits for it; SIGUSR2 kills the whole session. */
    static final String SUPERVISOR = String.join(
            "\n",
            "trap 'pkill -KILL -s $$ 2>/dev/null; kill -KILL 0' USR2",
            "trap ':' TERM INT HUP",
            "\"$@\" &",
            "child=$!",
            "while :; do",
            "  wait \"$child\"",
            "  status=$?",
            "  kill -0 \"$child\" 2>/dev/null || exit \"$status\"",
            "done");

    private final Path setpriv;
    private final Path setsid;
    private final Path sh;
    private final ContainmentStatus status;

    /**
     * @param setpriv the {@code setpriv} executable
     * @param setsid the {@code setsid} executable
     * @param sh a POSIX shell
     * @param version the version of util-linux, for the status
     * @param whyNotStronger why no sandbox holds the analyzer, for the status (may be blank)
     */
    public SessionContainment(Path setpriv, Path setsid, Path sh, String version, String whyNotStronger) {
        this.setpriv = Objects.requireNonNull(setpriv, "setpriv").toAbsolutePath();
        this.setsid = Objects.requireNonNull(setsid, "setsid").toAbsolutePath();
        this.sh = Objects.requireNonNull(sh, "sh").toAbsolutePath();
        this.status = new ContainmentStatus(
                ContainmentStatus.Level.SESSION,
                "setpriv --pdeathsig + setsid" + (version == null || version.isBlank() ? "" : " (" + version + ")"),
                "the analyzer's whole session dies with the worker (a process that starts a session of its own"
                        + " escapes), and writes are not confined"
                        + (whyNotStronger == null || whyNotStronger.isBlank() ? "" : " (" + whyNotStronger + ")"));
    }

    @Override
    public ContainmentStatus status() {
        return status;
    }

    @Override
    public ProcessSpec wrap(ProcessSpec spec, Confinement confinement) {
        Objects.requireNonNull(spec, "spec");
        List<String> argv = new ArrayList<>(List.of(
                setpriv.toString(),
                "--pdeathsig",
                "USR2",
                "--",
                setsid.toString(),
                sh.toString(),
                "-c",
                SUPERVISOR,
                "fondation-analyzer-supervisor"));
        argv.addAll(spec.command());
        return new ProcessSpec(argv, spec.workingDirectory(), spec.environment(), spec.timeout(), spec.killGrace());
    }

    @Override
    public String toString() {
        return "SessionContainment[" + setpriv + ", " + setsid + "]";
    }
}
