package io.fondation.clibridge.output;

/**
 * Caps on what is read from an analyzer's output directory.
 *
 * @param maxFiles the most files (YAML and Markdown) collected
 * @param maxFileBytes the largest single file; Convex stores at most 1 MiB per document
 * @param maxTotalBytes the most bytes read over all files
 */
public record OutputLimits(int maxFiles, long maxFileBytes, long maxTotalBytes) {

    public static final int DEFAULT_MAX_FILES = 1000;
    public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
    public static final long DEFAULT_MAX_TOTAL_BYTES = 64L * 1024 * 1024;
    /** Files are read into memory whole, so no single file may exceed this. */
    static final long HARD_MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    public OutputLimits {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1, was " + maxFiles);
        }
        if (maxFileBytes < 1 || maxFileBytes > HARD_MAX_FILE_BYTES) {
            throw new IllegalArgumentException(
                    "maxFileBytes must be between 1 and " + HARD_MAX_FILE_BYTES + ", was " + maxFileBytes);
        }
        if (maxTotalBytes < maxFileBytes) {
            throw new IllegalArgumentException(
                    "maxTotalBytes (" + maxTotalBytes + ") must be at least maxFileBytes (" + maxFileBytes + ")");
        }
    }

    /** 1000 files, 1 MiB per file, 64 MiB in total. */
    public static OutputLimits defaults() {
        return new OutputLimits(DEFAULT_MAX_FILES, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES);
    }
}
