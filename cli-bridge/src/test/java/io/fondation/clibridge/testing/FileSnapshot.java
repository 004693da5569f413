package io.fondation.clibridge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every path under a directory with what it holds, to show that nothing there changed. */
public final class FileSnapshot {

    private FileSnapshot() {}

    /**
     * Each file and directory under {@code root} (itself included): a file's content, or
     * {@code (directory)}, or {@code (link to ...)} (links are not followed).
     */
    public static Map<Path, String> of(Path root) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.toList()) {
                String what;
                if (Files.isSymbolicLink(path)) {
                    what = "(link to " + Files.readSymbolicLink(path) + ")";
                } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    what = Files.readString(path);
                } else {
                    what = "(directory)";
                }
                files.put(path, what);
            }
        }
        return files;
    }
}
