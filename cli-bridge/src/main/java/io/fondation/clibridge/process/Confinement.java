package io.fondation.clibridge.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a contained process may touch: everything is read-only, except the {@code writable}
 * directories; each {@code privateDirectories} entry is replaced by an empty, private, throw-away
 * directory (by default {@code /tmp}); {@code readOnly} directories are made visible again (read-only)
 * when they lie inside a private one. A writable or read-only directory inside another one wins over it.
 *
 * @param writable directories the process may write to (they must exist)
 * @param readOnly directories it must see read-only even inside a private directory (they must exist)
 * @param privateDirectories directories it sees as empty and private; what it writes there is discarded
 */
public record Confinement(List<Path> writable, List<Path> readOnly, List<Path> privateDirectories) {

    /** The system's temporary directory, private to each contained process by default. */
    public static final Path TMP = Path.of("/tmp");

    public Confinement {
        writable = absolute(writable, "writable");
        readOnly = absolute(readOnly, "readOnly");
        privateDirectories = absolute(privateDirectories, "privateDirectories");
        for (Path dir : privateDirectories) {
            if (dir.getNameCount() == 0) {
                throw new IllegalArgumentException("the root directory cannot be made private");
            }
        }
    }

    /** Writes only to {@code writable}, with a private {@code /tmp}. */
    public static Confinement writableOnly(Path... writable) {
        return new Confinement(List.of(writable), List.of(), List.of(TMP));
    }

    /** The same, with {@code dirs} visible (read-only) even inside a private directory. */
    public Confinement withReadOnly(Path... dirs) {
        return new Confinement(writable, concat(readOnly, dirs), privateDirectories);
    }

    /** The same, with {@code dirs} private too (for example the directory holding other jobs' workspaces). */
    public Confinement withPrivate(Path... dirs) {
        return new Confinement(writable, readOnly, concat(privateDirectories, dirs));
    }

    private static List<Path> concat(List<Path> first, Path... more) {
        List<Path> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static List<Path> absolute(List<Path> paths, String what) {
        List<Path> out = new ArrayList<>();
        for (Path path : paths == null ? List.<Path>of() : paths) {
            if (path == null) {
                throw new IllegalArgumentException(what + " contains null");
            }
            Path normal = path.toAbsolutePath().normalize();
            if (!out.contains(normal)) {
                out.add(normal);
            }
        }
        return List.copyOf(out);
    }
}
