package io.fondation.http.submission;

import io.fondation.shared.CloneSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a repository named by a program (the HTTP API, {@code REPOSITORY_URL} of {@code run-job}) into a {@link
 * CloneSource}, with the rules of {@code submit}: a URL ({@code http}, {@code https}, {@code git}, {@code file})
 * without credentials (a token goes in {@code GITHUB_TOKEN}), {@code owner/name} (cloned from {@code
 * GIT_BASE_URL}; a trailing {@code .git} is dropped), or an absolute path on this machine. Local paths and {@code
 * file:} URLs are accepted only where {@code ALLOW_LOCAL_REPOSITORIES} allows them. There is no working directory
 * here, so a relative path is not accepted.
 */
public final class RepositoryInput {

    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*|^file:.*", Pattern.DOTALL);
    private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

    private RepositoryInput() {}

    /**
     * @param value the repository as given
     * @param branch the branch, or {@code null}/blank for the repository's default
     * @param allowLocal whether a path or {@code file:} URL on this machine is accepted
     * @throws IllegalArgumentException saying what is wrong and what to give instead; never repeats credentials
     */
    public static CloneSource parse(String value, String branch, boolean allowLocal) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty; give an https URL, owner/name or (where allowed) a local path");
        }
        String trimmed = value.strip();
        CloneSource.requireSafeUrl(trimmed);
        if (URL.matcher(trimmed).matches()) {
            if (trimmed.toLowerCase(Locale.ROOT).startsWith("file:") && !allowLocal) {
                throw localRefused();
            }
            return CloneSource.ofUrl(trimmed, branch);
        }
        if (trimmed.startsWith("/")) {
            if (!allowLocal) {
                throw localRefused();
            }
            Path path;
            try {
                path = Path.of(trimmed).normalize();
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a valid path");
            }
            if (!Files.isDirectory(path)) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a directory on this machine");
            }
            return CloneSource.ofUrl(path.toString(), branch);
        }
        if (FULL_NAME.matcher(trimmed).matches()) {
            String name = trimmed.endsWith(".git") ? trimmed.substring(0, trimmed.length() - 4) : trimmed;
            return CloneSource.ofFullName(name, branch);
        }
        throw new IllegalArgumentException(
                "'" + trimmed + "' is not a URL, owner/name or absolute path (relative paths are not accepted here)");
    }

    private static IllegalArgumentException localRefused() {
        return new IllegalArgumentException(
                "local repositories are not accepted here (ALLOW_LOCAL_REPOSITORIES is false); give an https URL or"
                        + " owner/name");
    }
}
