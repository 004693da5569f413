package io.fondation.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One output file of an analysis, kept in a job's checkpoint: its path in the output directory and its text.
 *
 * @param path relative, {@code /}-separated, each part letters, digits or {@code . _ -} and neither {@code .} nor
 *     {@code ..}; at most {@value #MAX_PATH_CHARS} characters (e.g. {@code chapters/chapter_1_intro.md})
 * @param content the file's text (checkpointed files are UTF-8 text)
 */
public record CheckpointFile(String path, String content) {

    /** The longest path accepted. */
    public static final int MAX_PATH_CHARS = 255;

    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*");

    public CheckpointFile {
        Objects.requireNonNull(content, "content");
        requirePath(path);
    }

    /**
     * Checks a checkpoint file's path.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String requirePath(String path) {
        if (path == null
                || path.length() > MAX_PATH_CHARS
                || !PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("checkpoint file path '" + path + "' must be relative, '/'-separated,"
                    + " of letters, digits and . _ - only, at most " + MAX_PATH_CHARS + " characters");
        }
        for (String part : path.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("checkpoint file path '" + path + "' must not contain . or ..");
            }
        }
        return path;
    }

    /** The UTF-8 size of the content, which the queue's per-file limit applies to. */
    public int contentBytes() {
        return content.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The SHA-256 of the content's UTF-8 bytes, in lower-case hex: a cheap "is this the same file?". */
    public String sha256() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        // why: the content may be large; a log line names the file, not its text
        return "CheckpointFile[" + path + ", " + contentBytes() + " bytes]";
    }
}
