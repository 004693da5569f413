package io.fondation.dryrun;

/**
 * Bounds on how much of a repository the dry-run analyzer reads, so a huge checkout cannot make it
 * run for long or exhaust memory.
 *
 * @param maxFiles files listed at most; the walk stops there
 * @param maxDepth directory depth walked at most
 * @param maxFileBytes bytes read per file at most (larger files are listed, partly read)
 * @param maxTotalBytes bytes read over the whole repository at most (later files are listed unread)
 * @param headLines first lines kept per file for the chapters
 * @param maxReferenceLines import-like lines kept per file for the relationships
 */
public record ScanLimits(
        int maxFiles, int maxDepth, int maxFileBytes, long maxTotalBytes, int headLines, int maxReferenceLines) {

    public static final ScanLimits DEFAULT = new ScanLimits(5_000, 32, 1 << 20, 64L << 20, 12, 400);

    public ScanLimits {
        if (maxFiles < 1
                || maxDepth < 1
                || maxFileBytes < 1
                || maxTotalBytes < 1
                || headLines < 0
                || maxReferenceLines < 0) {
            throw new IllegalArgumentException("scan limits must be positive");
        }
    }
}
