package io.fondation.dryrun;

import java.nio.file.Path;
import java.util.List;

/**
 * The files of a repository as the dry-run analyzer sees them.
 *
 * @param root the repository directory
 * @param files text files, sorted by path
 * @param skippedBinary binary files (and generated lock files) left out
 * @param skippedUnreadable files that could not be read
 * @param skippedDirectories directories not walked (VCS metadata, build outputs, dependencies)
 * @param limitReached whether a {@link ScanLimits} bound cut the walk short
 * @param goModule the Go module path from a root {@code go.mod}, or {@code null}
 */
public record RepositoryInventory(
        Path root,
        List<SourceFile> files,
        int skippedBinary,
        int skippedUnreadable,
        List<String> skippedDirectories,
        boolean limitReached,
        String goModule) {

    public RepositoryInventory {
        files = List.copyOf(files);
        skippedDirectories = List.copyOf(skippedDirectories);
    }
}
