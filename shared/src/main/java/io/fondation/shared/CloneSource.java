package io.fondation.shared;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
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
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);
    private static final Pattern AUTHORITY_USERINFO = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@");
    private static final Pattern SCP_LIKE = Pattern.compile("^[^/\\s:]+@[^/\\s:]+:.*");
    private static final Set<String> SCHEMES = Set.of("http", "https", "git", "file");

    /** The longest repository URL or path accepted. */
    public static final int MAX_URL_LENGTH = 2048;

    public CloneSource {
        if ((url == null || url.isBlank()) == (fullName == null || fullName.isBlank())) {
            throw new IllegalArgumentException("a clone source needs exactly one of url or owner/name");
        }
        if (url != null && !url.isBlank()) {
            url = url.strip();
            requireSafeUrl(url);
        }
        if (fullName != null && fullName.endsWith(".git") && fullName.length() > 4) {
            // why: people paste owner/name.git; the clone URL gets its own .git.
            fullName = fullName.substring(0, fullName.length() - 4);
        }
        if (fullName != null && TokenShapes.containsToken(fullName)) {
            throw credentialsRefused("a token in owner/name");
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

    /**
     * Checks a repository URL or path before anything stores or prints it: no credentials (a token belongs in
     * {@code GITHUB_TOKEN} or the job owner's stored token, never in a URL that ends up in logs and job rows: neither
     * as {@code user:password@} nor as a token-shaped string anywhere, {@link TokenShapes}), a
     * supported scheme (http, https, git, file), no ssh address, no control characters, not option-like, at most
     * {@value #MAX_URL_LENGTH} characters.
     *
     * @throws IllegalArgumentException saying what is wrong; the message never contains the credentials
     */
    public static void requireSafeUrl(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("the repository URL is " + url.length() + " characters long; at most "
                    + MAX_URL_LENGTH + " are accepted");
        }
        if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("the repository URL contains control characters");
        }
        if (TokenShapes.containsToken(url)) {
            // why: the URL is stored in the row and shown by the job list and the page; a token anywhere in it
            // (path, query, host) would be shown in full, while the same token in an error text is masked
            throw credentialsRefused("a token in its path, query or host");
        }
        if (url.startsWith("-")) {
            throw new IllegalArgumentException("repository '" + url + "' looks like a command-line option, not a URL");
        }
        Matcher userinfo = AUTHORITY_USERINFO.matcher(url);
        if (userinfo.find()) {
            String cleaned = url.substring(0, userinfo.start(1)) + url.substring(userinfo.end(1) + 1);
            throw new IllegalArgumentException("the repository URL must not contain credentials (user:password@): use '"
                    + cleaned + "' and give the token as GITHUB_TOKEN (or store it with the job's owner) instead");
        }
        if (SCP_LIKE.matcher(url).matches()) {
            throw new IllegalArgumentException("repository '" + url.substring(url.indexOf('@') + 1)
                    + "' is an ssh address, which is not supported; use an https URL");
        }
        Matcher scheme = SCHEME.matcher(url);
        // why: one letter before ':' is a Windows drive, not a scheme.
        if (scheme.matches()
                && scheme.group(1).length() > 1
                && !SCHEMES.contains(scheme.group(1).toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("repository URL scheme '" + scheme.group(1)
                    + "' is not supported; use an https URL, owner/name or a local path");
        }
    }

    /** The refusal of a token-shaped repository, worded as the refusal of {@code user:password@}; never echoes it. */
    private static IllegalArgumentException credentialsRefused(String where) {
        return new IllegalArgumentException("the repository URL must not contain credentials (" + where
                + "): give the token as GITHUB_TOKEN (or store it with the job's owner) instead");
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
