package io.fondation.worker.git;

import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.CoreConfig;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clones a job's repository with JGit: shallow (depth 1), one branch only, no tags, checked out with
 * {@code core.autocrlf=input} (which halves checkout time on repositories with {@code * text=auto}).
 *
 * <p>Locations: http(s) and git URLs, {@code owner/name} resolved against {@code GIT_BASE_URL}, local
 * paths and {@code file:} URLs. The {@code GITHUB_TOKEN} is offered as {@code x-access-token} basic
 * credentials through a JGit credentials provider (never in the URL), and only to the host of
 * {@code GIT_BASE_URL}, so a job cannot make the worker send its token to another server.
 *
 * <p>Failures are {@link CloneException}s whose {@link JobFailure} is classified: a repository or branch
 * that does not exist and invalid URLs are {@code INVALID_INPUT}, refused credentials
 * {@code AUTHENTICATION}, network trouble {@code TRANSIENT}, cancellation {@code CANCELED}.
 */
public final class RepositoryCloner {

    /** Socket read timeout for remote clones. */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryCloner.class);

    private final String gitBaseUrl;
    private final Secret token;
    private final Duration networkTimeout;
    private final boolean localRepositoriesAllowed;

    /**
     * @param gitBaseUrl where {@code owner/name} sources live, e.g. {@code https://github.com}
     * @param token the token offered to {@code gitBaseUrl}'s host, or {@code null}
     * @param networkTimeout the socket read timeout of remote operations
     */
    public RepositoryCloner(String gitBaseUrl, Secret token, Duration networkTimeout) {
        this(gitBaseUrl, token, networkTimeout, true);
    }

    private RepositoryCloner(
            String gitBaseUrl, Secret token, Duration networkTimeout, boolean localRepositoriesAllowed) {
        this.gitBaseUrl = Objects.requireNonNull(gitBaseUrl, "gitBaseUrl");
        this.token = token;
        this.networkTimeout = Objects.requireNonNull(networkTimeout, "networkTimeout");
        this.localRepositoriesAllowed = localRepositoriesAllowed;
    }

    /**
     * A cloner that accepts, or refuses, jobs naming a path or {@code file:} URL on this machine
     * ({@code ALLOW_LOCAL_REPOSITORIES}). Refusing matters when jobs come from other people (Convex): a
     * job must not make the worker read the worker machine's own repositories. {@code owner/name}
     * sources are always accepted, even when the operator points {@code GIT_BASE_URL} at a local
     * directory.
     */
    public RepositoryCloner localRepositoriesAllowed(boolean allowed) {
        return new RepositoryCloner(gitBaseUrl, token, networkTimeout, allowed);
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
        CredentialsProvider provider = credentialsFor(target, credentials);
        ProgressMonitor monitor = new CancellingMonitor(cancelled);
        String branch = null;
        try {
            Map<String, Ref> refs = listRefs(target, provider);
            checkCancelled(cancelled);
            branch = chooseBranch(source, target, refs);
            String branchRef = Constants.R_HEADS + branch;
            try (Git git = Git.cloneRepository()
                    .setURI(target.uri())
                    .setDirectory(directory.toFile())
                    .setCredentialsProvider(provider)
                    .setTimeout(timeoutSeconds())
                    .setDepth(1)
                    // Without setBranchesToClone JGit fetches every branch at depth 1 (see jgit-clone notes).
                    .setBranchesToClone(List.of(branchRef))
                    .setBranch(branchRef)
                    .setNoTags()
                    .setCloneSubmodules(false)
                    // Checkout happens below, after core.autocrlf=input is set on the new repository.
                    .setNoCheckout(true)
                    .setProgressMonitor(monitor)
                    .call()) {
                checkCancelled(cancelled);
                String commit = checkout(git.getRepository());
                checkCancelled(cancelled);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                LOG.debug("cloned {} ({}) at {} in {} ms", target.display(), branch, commit, took.toMillis());
                return new ClonedRepository(directory, target.display(), branch, commit, took);
            }
        } catch (CloneException e) {
            if (cancelled.getAsBoolean()) {
                throw canceled(e);
            }
            throw e;
        } catch (GitAPIException | IOException | RuntimeException e) {
            // JGit reports a cancelled monitor in many shapes (even "Missing unknown <id>"): trust the flag.
            if (cancelled.getAsBoolean()) {
                throw canceled(e);
            }
            throw classify(e, target, branch, provider != null);
        }
    }

    private Map<String, Ref> listRefs(CloneTarget target, CredentialsProvider credentials) throws GitAPIException {
        return Git.lsRemoteRepository()
                .setRemote(target.uri())
                .setCredentialsProvider(credentials)
                .setTimeout(timeoutSeconds())
                .callAsMap();
    }

    private static String chooseBranch(CloneSource source, CloneTarget target, Map<String, Ref> refs)
            throws CloneException {
        List<String> branches = new ArrayList<>();
        for (String name : refs.keySet()) {
            if (name.startsWith(Constants.R_HEADS)) {
                branches.add(name.substring(Constants.R_HEADS.length()));
            }
        }
        branches.sort(null);
        if (source.branch() != null) {
            if (!branches.contains(source.branch())) {
                throw new CloneException(
                        JobFailure.of(
                                FailureKind.INVALID_INPUT,
                                "branch '" + source.branch() + "' not found in " + target.display()
                                        + describeBranches(branches)),
                        null);
            }
            return source.branch();
        }
        if (branches.isEmpty()) {
            throw new CloneException(
                    JobFailure.of(
                            FailureKind.INVALID_INPUT,
                            "repository " + target.display() + " has no branches (it is empty)"),
                    null);
        }
        Ref head = refs.get(Constants.HEAD);
        if (head != null && head.isSymbolic() && head.getTarget().getName().startsWith(Constants.R_HEADS)) {
            return head.getTarget().getName().substring(Constants.R_HEADS.length());
        }
        // A server that does not advertise HEAD's target: take the usual default names, else the first branch.
        for (String usual : List.of("main", "master")) {
            if (branches.contains(usual)) {
                return usual;
            }
        }
        return branches.get(0);
    }

    private static String describeBranches(List<String> branches) {
        if (branches.isEmpty()) {
            return " (the repository has no branches)";
        }
        List<String> shown = branches.size() > 10 ? branches.subList(0, 10) : branches;
        return " (branches: " + String.join(", ", shown) + (branches.size() > 10 ? ", ..." : "") + ")";
    }

    private static String checkout(Repository repository) throws IOException {
        StoredConfig config = repository.getConfig();
        config.setEnum(
                ConfigConstants.CONFIG_CORE_SECTION,
                null,
                ConfigConstants.CONFIG_KEY_AUTOCRLF,
                CoreConfig.AutoCRLF.INPUT);
        config.save();
        ObjectId head = repository.resolve(Constants.HEAD);
        if (head == null) {
            throw new IOException("the cloned branch has no commit");
        }
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit commit = walk.parseCommit(head);
            DirCacheCheckout checkout = new DirCacheCheckout(repository, repository.lockDirCache(), commit.getTree());
            checkout.setFailOnConflict(true);
            checkout.checkout();
            return commit.getName();
        }
    }

    private CredentialsProvider credentialsFor(CloneTarget target, Optional<GitCredentials> given) {
        Optional<GitCredentials> chosen =
                given.isPresent() ? given : Optional.ofNullable(token).map(GitCredentials::ofToken);
        if (chosen.isEmpty() || !target.remote() || !sameOrigin(target.uri(), gitBaseUrl)) {
            return null;
        }
        return new UsernamePasswordCredentialsProvider(
                chosen.get().username(), chosen.get().password().reveal());
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

    private int timeoutSeconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, networkTimeout.toSeconds()));
    }

    private static void checkCancelled(BooleanSupplier cancelled) throws CloneException {
        if (cancelled.getAsBoolean()) {
            throw canceled(null);
        }
    }

    private static CloneException canceled(Throwable cause) {
        return new CloneException(JobFailure.of(FailureKind.CANCELED, "clone canceled"), cause);
    }

    private static CloneException classify(
            Exception error, CloneTarget target, String branch, boolean sentCredentials) {
        String detail = describe(error);
        String lower = detail.toLowerCase(Locale.ROOT);
        FailureKind kind;
        String message;
        if (hasCause(error, NoRemoteRepositoryException.class) || lower.contains("repository not found")) {
            kind = FailureKind.INVALID_INPUT;
            message = "repository " + target.display() + " not found"
                    + (sentCredentials ? " (or GITHUB_TOKEN cannot access it)" : "");
        } else if (lower.contains("authentication is required")
                || lower.contains("not authorized")
                || lower.contains("authentication not supported")
                || lower.contains("not permitted")) {
            // why: the job's repository refused the credentials (or needs some): the job's fault, not the worker's.
            kind = FailureKind.INVALID_INPUT;
            message = "authentication failed for " + target.display() + ": "
                    + (sentCredentials
                            ? "the token was refused"
                            : "the repository needs credentials and none apply"
                                    + " (set GITHUB_TOKEN for repositories on GIT_BASE_URL)");
        } else if (branch != null && lower.contains("remote branch") && lower.contains("not found")) {
            kind = FailureKind.INVALID_INPUT;
            message = "branch '" + branch + "' not found in " + target.display();
        } else {
            // Network trouble, a 5xx, a broken pack: worth another attempt later.
            kind = FailureKind.TRANSIENT;
            message = "could not clone " + target.display() + ": " + detail;
        }
        return new CloneException(JobFailure.of(kind, message), error);
    }

    /** The deepest useful message of a JGit exception chain, with any {@code user:password@} removed. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                if (text.length() > 0) {
                    text.append(": ");
                }
                text.append(message);
            }
            if (text.length() > 600) {
                break;
            }
        }
        String result = text.length() == 0 ? error.getClass().getSimpleName() : text.toString();
        return result.replaceAll("//[^/@\\s]*@", "//");
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Reports the job's cancellation to JGit, which checks it between pack and checkout steps. */
    private static final class CancellingMonitor implements ProgressMonitor {
        private final BooleanSupplier cancelled;

        CancellingMonitor(BooleanSupplier cancelled) {
            this.cancelled = cancelled;
        }

        @Override
        public void start(int totalTasks) {}

        @Override
        public void beginTask(String title, int totalWork) {}

        @Override
        public void update(int completed) {}

        @Override
        public void endTask() {}

        @Override
        public boolean isCancelled() {
            return cancelled.getAsBoolean();
        }

        @Override
        public void showDuration(boolean enabled) {}
    }
}
