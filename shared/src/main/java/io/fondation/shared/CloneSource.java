package io.fondation.shared;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to clone for a job: either a URL (or local path) or a GitHub-style {@code owner/name},
 * plus an optional branch. Exactly one of {@link #url()} and {@link #fullName()} is set.
 *
 * @param url a clone URL or a local path, or {@code null} when {@code fullName} is set
 * @param fullName {@code owner/name}, resolved against a configurable base URL, or {@code null}
 * @param branch the branch to check out, or {@code null} for the remote's default branch
 */
public record CloneSource(String url, String fullName, String branch) {

    private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    // Git ref rules that matter here: no leading '-', no '..', no control chars or spaces.
    private static final Pattern SAFE_BRANCH = Pattern.compile("[A-Za-z0-9._/+@-]{1,255}");

    public CloneSource {
        if ((url == null || url.isBlank()) == (fullName == null || fullName.isBlank())) {
            throw new IllegalArgumentException("a clone source needs exactly one of url or owner/name");
        }
        if (fullName != null
                && !fullName.isBlank()
                && !FULL_NAME.matcher(fullName).matches()) {
            throw new IllegalArgumentException("repository name '" + fullName + "' is not of the form owner/name");
        }
        if (branch != null && branch.isBlank()) {
            branch = null;
        }
        if (branch != null && !isSafeBranch(branch)) {
            throw new IllegalArgumentException("branch '" + branch + "' is not a valid git branch name");
        }
    }

    /** A source cloned from a URL or local path. */
    public static CloneSource ofUrl(String url, String branch) {
        return new CloneSource(Objects.requireNonNull(url, "url"), null, branch);
    }

    /** A source known only as {@code owner/name}. */
    public static CloneSource ofFullName(String fullName, String branch) {
        return new CloneSource(null, Objects.requireNonNull(fullName, "fullName"), branch);
    }

    /** The branch, if one was given. */
    public Optional<String> optionalBranch() {
        return Optional.ofNullable(branch);
    }

    /**
     * The URL to clone: the URL itself, or {@code baseUrl/owner/name.git}.
     *
     * @param baseUrl for example {@code https://github.com}; used only for {@code owner/name}
     */
    public String cloneUrl(String baseUrl) {
        if (url != null) {
            return url;
        }
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + "/" + fullName + ".git";
    }

    /** A short human label: the URL or owner/name, with the branch. */
    public String describe() {
        return (url != null ? url : fullName) + (branch != null ? " (" + branch + ")" : "");
    }

    /** Whether {@code branch} is acceptable as a branch name (before git itself checks it). */
    public static boolean isSafeBranch(String branch) {
        return SAFE_BRANCH.matcher(branch).matches()
                && !branch.startsWith("-")
                && !branch.startsWith("/")
                && !branch.endsWith("/")
                && !branch.endsWith(".lock")
                && !branch.contains("..")
                && !branch.contains("//")
                && !branch.contains("@{");
    }
}
