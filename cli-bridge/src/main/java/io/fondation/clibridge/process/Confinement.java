package io.fondation.clibridge.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a contained process may touch: everything is read-only, except the {@code writable} paths; each
 * {@code privateDirectories} entry is replaced by an empty, private, throw-away directory it may write to (by
 * default {@code /tmp}); each {@code hidden} entry by an empty directory it may not write to (the other jobs'
 * workspaces, the worker's own files); {@code readOnly} paths are made visible again (read-only) when they lie inside
 * a private or hidden directory.
 *
 * <p>Which one wins where they overlap: the deeper path, so a writable or read-only path inside a private or hidden
 * directory shows through it, and a hidden directory inside a read-only or writable one stays hidden. For the same
 * path, hidden wins over everything (nothing can show a hidden directory itself), then writable over read-only.
 *
 * @param writable paths the process may write to (they must exist)
 * @param readOnly paths it must see read-only even inside a private or hidden directory (they must exist)
 * @param privateDirectories directories it sees as empty and private; what it writes there is discarded
 * @param hidden directories it sees as empty and cannot write to
 * @param network whether it shares the machine's network (false: a network namespace with nothing but loopback)
 */
public record Confinement(
        List<Path> writable, List<Path> readOnly, List<Path> privateDirectories, List<Path> hidden, boolean network) {

    /** The system's temporary directory, private to each contained process by default. */
    public static final Path TMP = Path.of("/tmp");

    public Confinement {
        writable = absolute(writable, "writable");
        readOnly = absolute(readOnly, "readOnly");
        privateDirectories = absolute(privateDirectories, "privateDirectories");
        hidden = absolute(hidden, "hidden");
        for (Path dir : concat(privateDirectories, hidden.toArray(Path[]::new))) {
            if (dir.getNameCount() == 0) {
                throw new IllegalArgumentException("the root directory cannot be made private or hidden");
            }
        }
    }

    /** Without hidden directories, with the network. */
    public Confinement(List<Path> writable, List<Path> readOnly, List<Path> privateDirectories) {
        this(writable, readOnly, privateDirectories, List.of(), true);
    }

    /** Writes only to {@code writable}, with a private {@code /tmp} and the network. */
    public static Confinement writableOnly(Path... writable) {
        return new Confinement(List.of(writable), List.of(), List.of(TMP));
    }

    /** The same, with {@code paths} visible (read-only) even inside a private or hidden directory. */
    public Confinement withReadOnly(Path... paths) {
        return new Confinement(writable, concat(readOnly, paths), privateDirectories, hidden, network);
    }

    /** The same, with {@code paths} writable too. */
    public Confinement withWritable(Path... paths) {
        return new Confinement(concat(writable, paths), readOnly, privateDirectories, hidden, network);
    }

    /** The same, with {@code dirs} private too: empty, writable, and what is written there discarded. */
    public Confinement withPrivate(Path... dirs) {
        return new Confinement(writable, readOnly, concat(privateDirectories, dirs), hidden, network);
    }

    /**
     * The same, with {@code dirs} hidden: empty and read-only (for example the directory holding the other jobs'
     * workspaces, or the worker's own files).
     */
    public Confinement withHidden(Path... dirs) {
        return new Confinement(writable, readOnly, privateDirectories, concat(hidden, dirs), network);
    }

    /** The same, with no network but loopback (for an analyzer that needs none, such as the dry-run one). */
    public Confinement withoutNetwork() {
        return new Confinement(writable, readOnly, privateDirectories, hidden, false);
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
