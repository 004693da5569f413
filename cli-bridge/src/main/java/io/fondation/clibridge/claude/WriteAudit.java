package io.fondation.clibridge.claude;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Remembers every attempt of the agent to write outside the one directory it may write to: write tool
 * calls whose path resolves elsewhere (whatever became of them: refused by the CLI's rules, refused by
 * the sandbox, or done), and tool calls that failed on a read-only file system (the sandbox's answer
 * to a write it stopped). Not thread-safe: the parser calls it under its lock.
 */
final class WriteAudit {

    /** The tools that write files, and the input field that names the file. */
    static final Map<String, String> WRITE_TOOLS = Map.of(
            "Write", "file_path", "Edit", "file_path", "MultiEdit", "file_path", "NotebookEdit", "notebook_path");

    /** Attempts described in full; later ones are only counted. */
    static final int MAX_KEPT = 10;

    private static final int MAX_DETAIL_CHARS = 200;

    private final Path allowed;
    private final Path allowedReal;
    private final List<String> kept = new ArrayList<>();
    private int count;

    /** @param allowed the directory writes may go to; null disables the audit */
    WriteAudit(Path allowed) {
        this.allowed = allowed == null ? null : allowed.toAbsolutePath().normalize();
        this.allowedReal = this.allowed == null ? null : realPath(this.allowed);
    }

    /** A write tool was called; {@code cwd} resolves a relative path as the CLI does. */
    void write(String tool, String path, String cwd) {
        if (allowed == null || path == null) {
            return;
        }
        Path target;
        try {
            Path given = Path.of(path);
            target = (given.isAbsolute() || cwd == null ? given : Path.of(cwd).resolve(given))
                    .toAbsolutePath()
                    .normalize();
        } catch (InvalidPathException e) {
            record(tool + " " + cut(path) + " (not a valid path)");
            return;
        }
        if (!target.startsWith(allowed) && (allowedReal == null || !target.startsWith(allowedReal))) {
            record(tool + " " + cut(target.toString()));
        }
    }

    /** A tool call failed; failures on a read-only file system are writes the sandbox stopped. */
    void toolFailed(String text) {
        if (allowed == null || text == null) {
            return;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("erofs") || lower.contains("read-only file system")) {
            record("a tool call failed on the read-only file system: " + cut(text.strip()));
        }
    }

    /** The attempts, oldest first (at most {@value #MAX_KEPT}). */
    List<String> attempts() {
        return List.copyOf(kept);
    }

    /** How many attempts there were. */
    int count() {
        return count;
    }

    private void record(String attempt) {
        count++;
        if (kept.size() < MAX_KEPT && !kept.contains(attempt)) {
            kept.add(attempt);
        }
    }

    private static String cut(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() > MAX_DETAIL_CHARS ? oneLine.substring(0, MAX_DETAIL_CHARS - 1) + "…" : oneLine;
    }

    private static Path realPath(Path path) {
        try {
            // why: on some systems the temp directory is a link (/tmp -> /private/tmp); the CLI may print either.
            return Files.exists(path) ? path.toRealPath() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
