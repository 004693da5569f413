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
 * directories writable, its private directories empty and throw-away (the working directory stays
 * visible, read-only unless it is writable), fresh {@code /dev} and
 * {@code /proc}, a new PID namespace and session, no capabilities, and {@code --die-with-parent}.
 *
 * <p>why the PID namespace: when the sandbox's first process dies (and {@code --die-with-parent}
 * kills it when the JVM dies, even of SIGKILL), the kernel kills every process left in the
 * namespace, so no part of the analyzer's tree can outlive the worker. The network is shared: the
 * analyzer needs its API.
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
                "the analyzer writes only to its output and state directories, sees a private /tmp, and its"
                        + " whole process tree dies with the worker");
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
        argv.addAll(List.of(
                "--die-with-parent",
                "--unshare-pid",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc"));
        List<Mount> mounts = new ArrayList<>();
        confinement.privateDirectories().forEach(dir -> mounts.add(new Mount(Mount.Kind.PRIVATE, dir)));
        confinement.readOnly().forEach(dir -> mounts.add(new Mount(Mount.Kind.READ_ONLY, existing(dir, "read-only"))));
        confinement.writable().forEach(dir -> mounts.add(new Mount(Mount.Kind.WRITABLE, existing(dir, "writable"))));
        Path cwd = spec.workingDirectory().toAbsolutePath().normalize();
        if (mounts.stream().noneMatch(m -> m.kind() != Mount.Kind.PRIVATE && cwd.startsWith(m.dir()))) {
            // why: the process starts in its working directory, which a private directory may hide.
            mounts.add(new Mount(Mount.Kind.READ_ONLY, cwd));
        }
        for (Path dir : executableDirectories(spec.command().get(0))) {
            boolean hidden = mounts.stream().anyMatch(m -> m.kind() == Mount.Kind.PRIVATE && dir.startsWith(m.dir()));
            boolean shown = mounts.stream().anyMatch(m -> m.kind() != Mount.Kind.PRIVATE && dir.startsWith(m.dir()));
            if (hidden && !shown) {
                // why: an analyzer installed under a private directory (a CLI under /tmp, say) must still start
                mounts.add(new Mount(Mount.Kind.READ_ONLY, dir));
            }
        }
        // why: bwrap mounts in order, so a deeper directory mounted later wins over its parent;
        // at equal depth a private directory comes first and writable last.
        mounts.sort(Comparator.comparingInt((Mount m) -> m.dir().getNameCount()).thenComparing(Mount::kind));
        for (Mount mount : mounts) {
            mount.addTo(argv);
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
            WRITABLE
        }

        void addTo(List<String> argv) {
            switch (kind) {
                case PRIVATE:
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

    /**
     * The directories holding the program of an absolute command path: its own directory and, when it is a
     * symbolic link (as npm's {@code node_modules/.bin} entries are), the directory of the file it resolves to;
     * a {@code bin} directory stands for its parent, the installation that may hold the program's other files.
     */
    private static List<Path> executableDirectories(String program) {
        Path path = Path.of(program);
        if (!path.isAbsolute()) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        Path parent = installation(path.normalize().getParent());
        if (parent != null && Files.isDirectory(parent)) {
            dirs.add(parent);
        }
        try {
            Path real = installation(path.toRealPath().getParent());
            if (real != null && !dirs.contains(real)) {
                dirs.add(real);
            }
        } catch (IOException e) {
            // a program that does not exist: the process start reports it
        }
        return dirs;
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

    private static Path existing(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "the " + what + " directory '" + dir + "' of the sandbox does not exist or is not a directory");
        }
        return dir;
    }

    @Override
    public String toString() {
        return "BubblewrapContainment[" + bwrap + "]";
    }
}
