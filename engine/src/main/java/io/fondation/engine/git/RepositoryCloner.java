package io.fondation.engine.git;

import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clones a job's repository: shallow (depth 1), one branch only, no tags, checked out with
 * {@code core.autocrlf=input}, by one of two clients chosen by measurement ({@link GitClient#fastestAvailable()}):
 * the {@code git} command when it is installed, else JGit. Both follow the same rules and give the same failures.
 *
 * <p>Locations: http(s) and git URLs, {@code owner/name} resolved against {@code GIT_BASE_URL}, local
 * paths and {@code file:} URLs. The {@code GITHUB_TOKEN} is offered as {@code x-access-token} basic
 * credentials (through a JGit credentials provider, or a git credential helper reading the child's environment;
 * never in the URL or an argument), and only to the host of {@code GIT_BASE_URL}, so a job cannot make the worker
 * send its token to another server.
 *
 * <p>Failures are {@link CloneException}s whose {@link JobFailure} is classified: a repository or branch
 * that does not exist and invalid URLs are {@code INVALID_INPUT}, refused credentials
 * {@code AUTHENTICATION}, network trouble {@code TRANSIENT}, cancellation {@code CANCELED}.
 */
public final class RepositoryCloner implements Cloner {

    /** Socket read timeout for remote clones (for git: how long a transfer may stay under 1 KB/s). */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryCloner.class);

    private final String gitBaseUrl;
    private final Secret token;
    private final Duration networkTimeout;
    private final boolean localRepositoriesAllowed;
    private final GitClient client;

    /**
     * A cloner using the fastest client this machine has ({@link GitClient#fastestAvailable()}, decided at the
     * first clone).
     *
     * @param gitBaseUrl where {@code owner/name} sources live, e.g. {@code https://github.com}
     * @param token the token offered to {@code gitBaseUrl}'s host, or {@code null}
     * @param networkTimeout the socket read timeout of remote operations
     */
    public RepositoryCloner(String gitBaseUrl, Secret token, Duration networkTimeout) {
        this(gitBaseUrl, token, networkTimeout, true, null);
    }

    private RepositoryCloner(
            String gitBaseUrl,
            Secret token,
            Duration networkTimeout,
            boolean localRepositoriesAllowed,
            GitClient client) {
        this.gitBaseUrl = Objects.requireNonNull(gitBaseUrl, "gitBaseUrl");
        this.token = token;
        this.networkTimeout = Objects.requireNonNull(networkTimeout, "networkTimeout");
        this.localRepositoriesAllowed = localRepositoriesAllowed;
        this.client = client;
    }

    /**
     * A cloner that accepts, or refuses, jobs naming a path or {@code file:} URL on this machine
     * ({@code ALLOW_LOCAL_REPOSITORIES}). Refusing matters when jobs come from other people (Convex): a
     * job must not make the worker read the worker machine's own repositories. {@code owner/name}
     * sources are always accepted, even when the operator points {@code GIT_BASE_URL} at a local
     * directory.
     */
    public RepositoryCloner localRepositoriesAllowed(boolean allowed) {
        return new RepositoryCloner(gitBaseUrl, token, networkTimeout, allowed, client);
    }

    /**
     * A cloner that always uses {@code client}.
     *
     * @throws IllegalArgumentException for {@link GitClient#CLI} when no usable git is installed
     */
    public RepositoryCloner using(GitClient client) {
        Objects.requireNonNull(client, "client");
        if (client == GitClient.CLI && !GitCommand.available()) {
            throw new IllegalArgumentException("git " + GitCommand.MIN_VERSION[0] + "." + GitCommand.MIN_VERSION[1]
                    + " or newer is not installed on PATH");
        }
        return new RepositoryCloner(gitBaseUrl, token, networkTimeout, localRepositoriesAllowed, client);
    }

    /** The client this cloner uses (for a cloner built without {@link #using}, the fastest available). */
    public GitClient client() {
        return client != null ? client : GitClient.fastestAvailable();
    }

    /**
     * Clones {@code source} into {@code directory}, which must not exist or be empty.
     *
     * @param cancelled polled while cloning; when it turns true the clone stops with a {@code CANCELED} failure
     * @throws CloneException with the classified failure
     */
    public ClonedRepository clone(CloneSource source, Path directory, BooleanSupplier cancelled) throws CloneException {
        return clone(source, directory, cancelled, Optional.empty());
    }

    /**
     * Clones {@code source} into {@code directory} with the given credentials instead of the configured
     * token (for example the job owner's token). They too are offered only to {@code GIT_BASE_URL}'s host.
     *
     * @param credentials the credentials of this clone; empty to use the configured token, if any
     * @throws CloneException with the classified failure
     */
    @Override
    public ClonedRepository clone(
            CloneSource source, Path directory, BooleanSupplier cancelled, Optional<GitCredentials> credentials)
            throws CloneException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(cancelled, "cancelled");
        // A duration measurement, not a point in time: the monotonic clock is the right tool.
        long started = System.nanoTime();
        CloneTarget target = CloneTarget.of(source.cloneUrl(gitBaseUrl));
        if (!target.remote() && source.url() != null && !localRepositoriesAllowed) {
            throw new CloneException(
                    JobFailure.of(
                            FailureKind.INVALID_INPUT,
                            "repository '" + target.display()
                                    + "' is a path on the worker's machine, which this worker does not accept"
                                    + " (ALLOW_LOCAL_REPOSITORIES=false); use an https URL or owner/name"),
                    null);
        }
        checkCancelled(cancelled);
        CloneClient chosen = client() == GitClient.CLI ? new GitCliCloneClient(GitCommand.installed()) : JGIT;
        try {
            ClonedRepository clone = chosen.clone(
                    target, source.branch(), directory, credentialsFor(target, credentials), networkTimeout, cancelled);
            checkCancelled(cancelled);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LOG.debug(
                    "cloned {} ({}) at {} with {} in {} ms",
                    target.display(),
                    clone.branch(),
                    clone.commit(),
                    chosen.kind(),
                    took.toMillis());
            return new ClonedRepository(directory, clone.url(), clone.branch(), clone.commit(), took);
        } catch (CloneException e) {
            if (cancelled.getAsBoolean() && e.failure().kind() != FailureKind.CANCELED) {
                throw CloneFailures.canceled(e);
            }
            throw e;
        }
    }

    /**
     * Clones {@code source} as {@link #clone(CloneSource, Path, BooleanSupplier, Optional)} does, then, when the
     * branch's head is not {@code commit}, fetches that commit alone and checks it out (the git command; JGit keeps
     * the head). A commit the remote no longer serves leaves the head checked out: the caller compares the commit
     * returned.
     */
    @Override
    public ClonedRepository clone(
            CloneSource source,
            Path directory,
            String commit,
            BooleanSupplier cancelled,
            Optional<GitCredentials> credentials)
            throws CloneException {
        ClonedRepository head = clone(source, directory, cancelled, credentials);
        if (commit == null
                || head.commit().equals(commit)
                || !FULL_COMMIT.matcher(commit).matches()) {
            return head;
        }
        CloneTarget target = CloneTarget.of(source.cloneUrl(gitBaseUrl));
        CloneClient chosen = client() == GitClient.CLI ? new GitCliCloneClient(GitCommand.installed()) : JGIT;
        if (chosen.checkoutCommit(
                target, directory, commit, credentialsFor(target, credentials), networkTimeout, cancelled)) {
            LOG.info(
                    "checked out {} (asked for) instead of the head of {}, {}",
                    commit.substring(0, 12),
                    head.branch(),
                    head.commit().substring(0, Math.min(12, head.commit().length())));
            return new ClonedRepository(directory, head.url(), head.branch(), commit, head.duration());
        }
        LOG.info(
                "commit {} cannot be fetched from {}; the head of {} stays checked out",
                commit.substring(0, 12),
                target.display(),
                head.branch());
        return head;
    }

    /** A full commit id: what may be passed to git as an argument (hex only, never an option). */
    private static final java.util.regex.Pattern FULL_COMMIT =
            java.util.regex.Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private static final CloneClient JGIT = new JGitCloneClient();

    private Optional<GitCredentials> credentialsFor(CloneTarget target, Optional<GitCredentials> given) {
        Optional<GitCredentials> chosen =
                given.isPresent() ? given : Optional.ofNullable(token).map(GitCredentials::ofToken);
        if (chosen.isEmpty() || !target.remote() || !sameOrigin(target.uri(), gitBaseUrl)) {
            return Optional.empty();
        }
        return chosen;
    }

    /** Whether {@code url} is on the scheme, host and port of {@code base}. */
    static boolean sameOrigin(String url, String base) {
        try {
            URIish target = new URIish(url);
            URI origin = URI.create(base);
            String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                return false;
            }
            return scheme.equalsIgnoreCase(target.getScheme())
                    && origin.getHost() != null
                    && origin.getHost().equalsIgnoreCase(target.getHost())
                    && port(origin.getPort(), scheme) == port(target.getPort(), target.getScheme());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(int port, String scheme) {
        if (port > 0) {
            return port;
        }
        return "http".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    static void checkCancelled(BooleanSupplier cancelled) throws CloneException {
        if (cancelled.getAsBoolean()) {
            throw CloneFailures.canceled(null);
        }
    }
}
