package io.fondation.worker.cli;

import io.fondation.shared.CloneSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.util.FS;

/**
 * Turns a repository given on the command line into a {@link CloneSource}: a URL stays a URL; an
 * existing local directory becomes its absolute path (it must be a git repository: the worker
 * clones it, so only committed work is analysed); otherwise {@code owner/name} names a repository on
 * the configured git host.
 */
public final class RepositoryArgument {

    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.+|^file:.+");
    private static final Pattern SCP_LIKE = Pattern.compile("^[\\w.-]+@[\\w.-]+:.+");
    private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

    private RepositoryArgument() {}

    /**
     * @param value what the user typed
     * @param branch the branch, or {@code null}
     * @param environment for the working directory
     * @throws UsageException naming the value when it is none of the accepted forms
     */
    public static CloneSource parse(String value, String branch, CliEnvironment environment) {
        if (value == null || value.isBlank()) {
            throw new UsageException("the repository is empty; give a URL, a local git directory or owner/name");
        }
        String trimmed = value.trim();
        try {
            if (URL.matcher(trimmed).matches() || SCP_LIKE.matcher(trimmed).matches()) {
                return CloneSource.ofUrl(trimmed, branch);
            }
            Path local;
            try {
                local = environment.resolve(Path.of(trimmed));
            } catch (InvalidPathException e) {
                throw new UsageException("'" + trimmed + "' is not a valid path, URL or owner/name");
            }
            if (Files.isDirectory(local)) {
                if (RepositoryCache.FileKey.resolve(local.toFile(), FS.DETECTED) == null) {
                    throw new UsageException(
                            "'" + trimmed
                                    + "' is a directory but not a git repository (the worker clones it; run git init and commit first)");
                }
                return CloneSource.ofUrl(local.toString(), branch);
            }
            if (Files.exists(local)) {
                throw new UsageException("'" + trimmed + "' is a file, not a repository");
            }
            if (FULL_NAME.matcher(trimmed).matches()) {
                return CloneSource.ofFullName(trimmed, branch);
            }
            throw new UsageException("'" + trimmed + "' is not an existing directory, a URL or owner/name");
        } catch (IllegalArgumentException e) {
            // CloneSource's own checks (the branch name) say what is wrong.
            throw new UsageException(e.getMessage());
        }
    }
}
