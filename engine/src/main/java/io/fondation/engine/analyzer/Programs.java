package io.fondation.engine.analyzer;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Finds programs the way a shell does: a name on {@code PATH}, or a path as given. */
public final class Programs {

    private Programs() {}

    /**
     * The program as a path: itself when it names one (it contains a {@code /}) and exists, else the first regular
     * file of that name in a directory of {@code path}.
     *
     * @param path the {@code PATH} to search, directories separated by {@code :}
     * @return the program, or null when there is none
     */
    public static Path onPath(String program, String path) {
        try {
            if (program.contains("/")) {
                Path given = Path.of(program);
                return Files.exists(given) ? given : null;
            }
            for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(dir).resolve(program);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (InvalidPathException e) {
            return null;
        }
        return null;
    }
}
