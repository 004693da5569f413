package io.fondation.engine.git;

import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * A validated clone location: a remote URL (http, https, git) or a local repository (a path or a
 * {@code file:} URL). Validation happens before JGit sees the location so that a bad one gets a
 * precise message ("does not exist", "is not a git repository", "is not a URL").
 *
 * @param uri what JGit clones from
 * @param display the location for messages and logs: never contains credentials
 * @param remote whether it is a network location (credentials may apply)
 */
record CloneTarget(String uri, String display, boolean remote) {

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final Pattern SCP_LIKE = Pattern.compile("^[^/\\s]+@[^/\\s:]+:.*");
    private static final Set<String> REMOTE_SCHEMES = Set.of("http", "https", "git");

    static CloneTarget of(String location) throws CloneException {
        String trimmed = location.trim();
        if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c < 0x20)) {
            throw invalid("repository location '" + sanitize(trimmed) + "' is not a URL or path");
        }
        if (SCHEME.matcher(trimmed).matches()) {
            String scheme = trimmed.substring(0, trimmed.indexOf(':')).toLowerCase(Locale.ROOT);
            if (scheme.equals("file")) {
                return local(fileUrlPath(trimmed), trimmed);
            }
            URIish uri = parse(trimmed);
            String display = withoutCredentials(uri);
            if (!REMOTE_SCHEMES.contains(scheme)) {
                throw invalid("repository URL '" + display + "' uses " + scheme
                        + ", which is not supported; use an https URL or a local path");
            }
            if (uri.getHost() == null
                    || uri.getHost().isBlank()
                    || uri.getPath() == null
                    || uri.getPath().isBlank()) {
                throw invalid("repository URL '" + display + "' is not a valid URL");
            }
            return new CloneTarget(uri.toString(), display, true);
        }
        if (SCP_LIKE.matcher(trimmed).matches()) {
            throw invalid("repository URL '" + withoutCredentials(parse(trimmed))
                    + "' is an ssh address, which is not supported; use an https URL");
        }
        Path path;
        try {
            path = Path.of(trimmed);
        } catch (InvalidPathException e) {
            throw invalid("repository location '" + sanitize(trimmed) + "' is not a URL or path");
        }
        return local(path, trimmed);
    }

    private static CloneTarget local(Path path, String given) throws CloneException {
        Path absolute = path.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw invalid("repository path '" + given + "' does not exist");
        }
        File gitDir = RepositoryCache.FileKey.resolve(absolute.toFile(), FS.DETECTED);
        if (gitDir == null) {
            throw invalid("repository path '" + given + "' is not a git repository");
        }
        return new CloneTarget(absolute.toString(), given, false);
    }

    private static Path fileUrlPath(String url) throws CloneException {
        try {
            return Path.of(URI.create(url));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw invalid("repository URL '" + sanitize(url) + "' is not a valid file URL");
        }
    }

    private static URIish parse(String value) throws CloneException {
        try {
            return new URIish(value);
        } catch (java.net.URISyntaxException e) {
            throw invalid("repository URL '" + sanitize(value) + "' is not a valid URL");
        }
    }

    /** The URL as it may appear in messages: user and password removed. */
    static String withoutCredentials(URIish uri) {
        return uri.setUser(null).setPass(null).toString();
    }

    /** Best effort for text that did not even parse: drop anything that looks like {@code user:pass@}. */
    private static String sanitize(String value) {
        return value.replaceAll("//[^/@\\s]*@", "//").replaceAll("\\p{Cntrl}", "?");
    }

    private static CloneException invalid(String message) {
        return new CloneException(JobFailure.of(FailureKind.INVALID_INPUT, message), null);
    }
}
