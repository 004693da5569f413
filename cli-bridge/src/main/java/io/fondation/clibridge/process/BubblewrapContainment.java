package io.fondation.clibridge.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bubblewrap ({@code bwrap}) sandbox: the whole file system read-only, the confinement's writable
 * directories writable, its private directories empty and throw-away, its hidden directories empty and
 * read-only (the working directory and the program stay visible, read-only unless writable), fresh
 * {@code /dev} and {@code /proc} (so no other process, the worker's environment included, can be read),
 * a new PID namespace and session, no capabilities, no network unless the confinement keeps it, and
 * {@code --die-with-parent}.
 *
 * <p>why the PID namespace: when the sandbox's first process dies (and {@code --die-with-parent}
 * kills it when the JVM dies, even of SIGKILL), the kernel kills every process left in the
 * namespace, so no part of the analyzer's tree can outlive the worker. The network is shared unless
 * the confinement says otherwise: an LLM analyzer needs its API.
 */
public final class BubblewrapContainment implements Containment {

    private final Path bwrap;
    private final ContainmentStatus status;

    /**
     * @param bwrap the {@code bwrap} executable
     * @param version its version, for the status
     */
    public BubblewrapContainment(Path bwrap, String version) {
        this.bwrap = Objects.requireNonNull(bwrap, "bwrap").toAbsolutePath();
        this.status = new ContainmentStatus(
                ContainmentStatus.Level.SANDBOX,
                "bubblewrap" + (version == null || version.isBlank() ? "" : " " + version),
                "the analyzer writes only to its output and state directories, sees a private /tmp and none of"
                        + " the other jobs' workspaces or the worker's own files, and its whole process tree dies with"
                        + " the worker");
    }

    @Override
    public ContainmentStatus status() {
        return status;
    }

    @Override
    public ProcessSpec wrap(ProcessSpec spec, Confinement confinement) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(confinement, "confinement");
        List<String> argv = new ArrayList<>();
        argv.add(bwrap.toString());
        argv.addAll(List.of("--die-with-parent", "--unshare-pid", "--new-session", "--cap-drop", "ALL"));
        if (!confinement.network()) {
            argv.add("--unshare-net");
        }
        argv.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        List<Mount> mounts = new ArrayList<>();
        confinement.privateDirectories().forEach(dir -> mounts.add(new Mount(Mount.Kind.PRIVATE, dir)));
        // why: a directory that does not exist hides nothing, and bwrap could not create it in the read-only root
        confinement.hidden().stream()
                .filter(Files::isDirectory)
                .forEach(dir -> mounts.add(new Mount(Mount.Kind.HIDDEN, dir)));
        confinement
                .readOnly()
                .forEach(path -> mounts.add(new Mount(Mount.Kind.READ_ONLY, existing(path, "read-only"))));
        confinement.writable().forEach(dir -> mounts.add(new Mount(Mount.Kind.WRITABLE, existing(dir, "writable"))));
        Path cwd = spec.workingDirectory().toAbsolutePath().normalize();
        if (!visible(mounts, cwd)) {
            // why: the process starts in its working directory, which a private or hidden directory may cover.
            mounts.add(new Mount(Mount.Kind.READ_ONLY, cwd));
        }
        for (Path program : programPaths(spec.command().get(0))) {
            if (!visible(mounts, program)) {
                // why: an analyzer installed under a private or hidden directory (a CLI under /tmp, a runtime in the
                // worker's HOME) must still start
                mounts.add(new Mount(Mount.Kind.READ_ONLY, exposure(mounts, program)));
            }
        }
        mounts.sort(Mount.ORDER);
        for (Mount mount : mounts) {
            mount.addTo(argv);
        }
        for (Mount mount : mounts) {
            if (mount.kind() == Mount.Kind.HIDDEN) {
                // why: last, once the paths shown through it are mounted; those keep their own mode
                argv.addAll(List.of("--remount-ro", mount.dir().toString()));
            }
        }
        argv.add("--chdir");
        argv.add(cwd.toString());
        argv.add("--");
        argv.addAll(spec.command());
        Map<String, String> env = new LinkedHashMap<>(spec.environment());
        if (confinement.privateDirectories().contains(Confinement.TMP)) {
            // why: a TMPDIR outside the writable directories would be read-only in the sandbox.
            env.put("TMPDIR", Confinement.TMP.toString());
        }
        return new ProcessSpec(argv, spec.workingDirectory(), env, spec.timeout(), spec.killGrace());
    }

    /** One mount of the sandbox. */
    private record Mount(Kind kind, Path dir) {
        enum Kind {
            PRIVATE,
            READ_ONLY,
            WRITABLE,
            HIDDEN
        }

        /**
         * bwrap mounts in order, so a deeper path mounted later wins over its parent; at equal depth a private
         * directory comes first and a hidden one last (nothing shows a hidden directory itself).
         */
        static final Comparator<Mount> ORDER =
                Comparator.comparingInt((Mount m) -> m.dir().getNameCount()).thenComparing(Mount::kind);

        void addTo(List<String> argv) {
            switch (kind) {
                case PRIVATE:
                case HIDDEN:
                    argv.addAll(List.of("--tmpfs", dir.toString()));
                    break;
                case READ_ONLY:
                    argv.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
                    break;
                default:
                    argv.addAll(List.of("--bind", dir.toString(), dir.toString()));
                    break;
            }
        }
    }

    /** Whether {@code path} shows in the sandbox as it is: no private or hidden directory covers it, or a mount shows it. */
    private static boolean visible(List<Mount> mounts, Path path) {
        Mount winner = null;
        for (Mount mount : mounts.stream().sorted(Mount.ORDER).toList()) {
            if (path.startsWith(mount.dir())) {
                winner = mount;
            }
        }
        return winner == null || winner.kind() == Mount.Kind.READ_ONLY || winner.kind() == Mount.Kind.WRITABLE;
    }

    /**
     * What to show of a program that a private or hidden directory covers: its installation (a {@code bin}
     * directory's parent), else its own directory, else the file alone; never a private or hidden directory itself,
     * which would stay empty (a program in {@code ~/bin} with the worker's {@code HOME} hidden shows {@code ~/bin}).
     */
    private static Path exposure(List<Mount> mounts, Path program) {
        Path dir = program.getParent();
        for (Path candidate : java.util.Arrays.asList(installation(dir), dir)) {
            if (candidate != null
                    && Files.isDirectory(candidate)
                    && mounts.stream()
                            .noneMatch(m -> (m.kind() == Mount.Kind.HIDDEN || m.kind() == Mount.Kind.PRIVATE)
                                    && m.dir().equals(candidate))) {
                return candidate;
            }
        }
        return program;
    }

    /**
     * The program of an absolute command path as given and, when it is a symbolic link (as npm's
     * {@code node_modules/.bin} entries are), the file it resolves to.
     */
    private static List<Path> programPaths(String program) {
        Path path = Path.of(program);
        if (!path.isAbsolute()) {
            return List.of();
        }
        List<Path> paths = new ArrayList<>();
        Path normal = path.normalize();
        if (normal.getParent() != null) {
            paths.add(normal);
        }
        try {
            Path real = path.toRealPath();
            if (real.getParent() != null && !paths.contains(real)) {
                paths.add(real);
            }
        } catch (IOException e) {
            // a program that does not exist: the process start reports it
        }
        return paths;
    }

    private static Path installation(Path dir) {
        if (dir != null
                && dir.getFileName() != null
                && dir.getFileName().toString().equals("bin")) {
            Path root = dir.getParent();
            // why: never the root or a top-level directory such as /usr (bin of /usr/bin), which is visible anyway
            return root != null && root.getNameCount() >= 2 ? root : dir;
        }
        return dir;
    }

    private static Path existing(Path path, String what) {
        boolean ok = what.equals("read-only") ? Files.exists(path) : Files.isDirectory(path);
        if (!ok) {
            throw new IllegalArgumentException("the " + what + " " + (what.equals("read-only") ? "path" : "directory")
                    + " '" + path + "' of the sandbox does not exist"
                    + (what.equals("read-only") ? "" : " or is not a directory"));
        }
        return path;
    }

    @Override
    public String toString() {
        return "BubblewrapContainment[" + bwrap + "]";
    }
}
