package io.fondation.engine.git;

import io.fondation.shared.GitCredentials;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Clones with the {@code git} command: {@code git clone --depth=1 --single-branch --no-tags}, checked out with
 * {@code core.autocrlf=input} like the JGit client. It lists the remote's refs only when it must (no default branch
 * to check out, or a branch that does not exist, to name the ones that do), so a clone costs one fetch.
 *
 * <p>Credentials: the token goes to git through a credential helper that prints it from the child's own
 * environment ({@code FONDATION_GIT_PASSWORD}); the helper is configured only for the origin of
 * {@code GIT_BASE_URL}, so git never offers it to another host (not even after a redirect). The token is never in an
 * argument, a URL, a file or a log line. Local repositories are cloned through {@code file://} URLs, so that the
 * clone is shallow as it is with JGit.
 *
 * <p>Local repositories owned by another user (a directory mounted into the container, a checkout of the operator's
 * own account) clone as with JGit: git refuses them as "dubious ownership" unless {@code safe.directory} allows
 * them, and only a global configuration may, so a local clone runs with a private global configuration that says
 * {@code safe.directory = *}. Its scope is that one clone: the only repositories its git processes open are the
 * job's source and the new clone.
 */
final class GitCliCloneClient implements CloneClient {

    static final String USERNAME_VARIABLE = "FONDATION_GIT_USERNAME";
    static final String PASSWORD_VARIABLE = "FONDATION_GIT_PASSWORD";

    /** Prints the credentials from the environment when git asks for them ({@code get}), nothing otherwise. */
    private static final String HELPER = "!f() { test \"$1\" = get && printf 'username=%s\\npassword=%s\\n' \"$"
            + USERNAME_VARIABLE + "\" \"$" + PASSWORD_VARIABLE + "\"; }; f";

    private static final Pattern MISSING_REPOSITORY =
            Pattern.compile("(?i)repository '[^']*' not found|does not appear to be a git repository");
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern MISSING_BRANCH = Pattern.compile("(?i)remote branch .* not found");

    private final GitCommand git;

    GitCliCloneClient(GitCommand git) {
        this.git = git;
    }

    @Override
    public GitClient kind() {
        return GitClient.CLI;
    }

    @Override
    public ClonedRepository clone(
            CloneTarget target,
            String requestedBranch,
            Path directory,
            Optional<GitCredentials> credentials,
            Duration networkTimeout,
            BooleanSupplier cancelled)
            throws CloneException {
        Invocation call = new Invocation(target, credentials, networkTimeout, cancelled);
        try (LocalSafety safety = LocalSafety.forTarget(target, directory)) {
            safety.file().ifPresent(file -> call.environment.put("GIT_CONFIG_GLOBAL", file.toString()));
            GitCommand.Result cloned = call.git(cloneArguments(call.url, requestedBranch, directory));
            if (!cloned.ok()) {
                throw failure(call, cloned, requestedBranch);
            }
            Optional<String> commit = head(call, directory);
            String branch = requestedBranch;
            if (commit.isEmpty()) {
                // why: an empty repository, or a remote HEAD naming a missing branch: choose as JGit would, clone
                // again.
                Remote remote = listRefs(call);
                branch = CloneFailures.chooseBranch(null, target, remote.refNames(), remote.headTarget());
                FileTrees.deleteRecursively(directory);
                GitCommand.Result again = call.git(cloneArguments(call.url, branch, directory));
                if (!again.ok()) {
                    throw failure(call, again, branch);
                }
                commit = head(call, directory);
                if (commit.isEmpty()) {
                    throw CloneFailures.classify(
                            "the cloned branch has no commit", false, target, branch, call.sendsCredentials(), null);
                }
            }
            if (branch == null) {
                branch = currentBranch(directory);
            }
            // why: the same refs as a JGit clone (HEAD, the branch, its remote-tracking ref), nothing more.
            Files.deleteIfExists(directory.resolve(".git/refs/remotes/origin/HEAD"));
            return new ClonedRepository(directory, target.display(), branch, commit.get(), Duration.ZERO);
        } catch (IOException e) {
            throw CloneFailures.classify(
                    CloneFailures.withoutCredentials(e.toString()), false, target, null, call.sendsCredentials(), e);
        }
    }

    /**
     * {@code git fetch --depth=1 <url> <commit>} then {@code git checkout --detach <commit>}: protocol v2 servers
     * (GitHub, git's own) give a reachable commit by its id.
     */
    @Override
    public boolean checkoutCommit(
            CloneTarget target,
            Path directory,
            String commit,
            Optional<GitCredentials> credentials,
            Duration networkTimeout,
            BooleanSupplier cancelled)
            throws CloneException {
        Invocation call = new Invocation(target, credentials, networkTimeout, cancelled);
        try (LocalSafety safety = LocalSafety.forTarget(target, directory)) {
            safety.file().ifPresent(file -> call.environment.put("GIT_CONFIG_GLOBAL", file.toString()));
            String dir = directory.toString();
            GitCommand.Result fetched =
                    call.git(List.of("-C", dir, "fetch", "--quiet", "--depth=1", "--no-tags", call.url, commit));
            if (!fetched.ok()) {
                return false;
            }
            GitCommand.Result checkedOut = call.git(List.of("-C", dir, "checkout", "--quiet", "--detach", commit));
            if (!checkedOut.ok()) {
                return false;
            }
            GitCommand.Result head = call.git(List.of("-C", dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"));
            return head.ok() && head.stdout().trim().equals(commit);
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> cloneArguments(String url, String branch, Path directory) {
        List<String> args = new ArrayList<>(List.of(
                "clone",
                "--quiet",
                "--depth=1",
                "--single-branch",
                "--no-tags",
                // why: no sample hooks copied into every clone (and none can run)
                "--template=",
                "--config=core.autocrlf=input"));
        if (branch != null) {
            args.add("--branch=" + branch);
        }
        args.add("--");
        args.add(url);
        args.add(directory.toString());
        return args;
    }

    private CloneException failure(Invocation call, GitCommand.Result result, String branch) throws CloneException {
        String detail = detail(result.stderr());
        if (branch != null && MISSING_BRANCH.matcher(detail).find()) {
            Remote remote = listRefs(call);
            return CloneFailures.branchNotFound(branch, call.target, CloneFailures.branchesOf(remote.refNames()));
        }
        return CloneFailures.classify(
                detail, MISSING_REPOSITORY.matcher(detail).find(), call.target, branch, call.sendsCredentials(), null);
    }

    private Remote listRefs(Invocation call) throws CloneException {
        GitCommand.Result listed;
        try {
            listed = call.git(List.of("ls-remote", "--symref", "--", call.url, "HEAD", "refs/heads/*"));
        } catch (IOException e) {
            throw CloneFailures.classify(e.toString(), false, call.target, null, call.sendsCredentials(), e);
        }
        if (!listed.ok()) {
            String detail = detail(listed.stderr());
            throw CloneFailures.classify(
                    detail,
                    MISSING_REPOSITORY.matcher(detail).find(),
                    call.target,
                    null,
                    call.sendsCredentials(),
                    null);
        }
        List<String> names = new ArrayList<>();
        String headTarget = null;
        for (String line : listed.stdout().split("\n")) {
            String[] parts = line.split("\t");
            if (parts.length != 2) {
                continue;
            }
            if (parts[0].startsWith("ref: ") && parts[1].equals("HEAD")) {
                headTarget = parts[0].substring("ref: ".length());
            } else {
                names.add(parts[1]);
            }
        }
        return new Remote(names, headTarget);
    }

    /**
     * The commit checked out: read from {@code .git} (a fresh clone has {@code HEAD} naming a branch whose ref is a
     * loose file or a line of {@code packed-refs}), else asked of {@code git rev-parse}; empty when there is none.
     */
    private Optional<String> head(Invocation call, Path directory) throws IOException, CloneException {
        Path gitDir = directory.resolve(".git");
        Path headFile = gitDir.resolve("HEAD");
        if (!Files.isRegularFile(headFile)) {
            return Optional.empty();
        }
        String head = Files.readString(headFile, StandardCharsets.UTF_8).trim();
        if (head.startsWith("ref: refs/heads/")) {
            String ref = head.substring("ref: ".length());
            Path loose = gitDir.resolve(ref);
            if (Files.isRegularFile(loose)) {
                String id = Files.readString(loose, StandardCharsets.UTF_8).trim();
                if (COMMIT_ID.matcher(id).matches()) {
                    return Optional.of(id);
                }
            }
            Path packed = gitDir.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    if (line.endsWith(" " + ref)
                            && COMMIT_ID
                                    .matcher(line.substring(0, line.indexOf(' ')))
                                    .matches()) {
                        return Optional.of(line.substring(0, line.indexOf(' ')));
                    }
                }
            }
        }
        // why: a layout this code does not know (reftable, a detached HEAD): git itself answers.
        GitCommand.Result parsed =
                call.git(List.of("-C", directory.toString(), "rev-parse", "--verify", "--quiet", "HEAD^{commit}"));
        String commit = parsed.stdout().trim();
        return parsed.ok() && !commit.isEmpty() ? Optional.of(commit) : Optional.empty();
    }

    private static String currentBranch(Path directory) throws IOException {
        String head = Files.readString(directory.resolve(".git/HEAD"), StandardCharsets.UTF_8)
                .trim();
        String prefix = "ref: refs/heads/";
        if (!head.startsWith(prefix)) {
            throw new IOException("the clone's HEAD is not on a branch: " + head);
        }
        return head.substring(prefix.length());
    }

    /** The useful part of git's stderr: its {@code fatal:}/{@code error:} lines, at most 600 characters. */
    static String detail(String stderr) {
        StringBuilder text = new StringBuilder();
        for (String line : stderr.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("fatal: ") || trimmed.startsWith("error: ")) {
                if (text.length() > 0) {
                    text.append(": ");
                }
                text.append(trimmed.substring(trimmed.indexOf(' ') + 1));
            }
        }
        String result = text.length() == 0 ? stderr.strip() : text.toString();
        if (result.isEmpty()) {
            result = "git failed without a message";
        }
        if (result.toLowerCase(java.util.Locale.ROOT).contains("couldn't connect")
                || result.toLowerCase(java.util.Locale.ROOT).contains("failed to connect")) {
            result = "connection failed: " + result;
        }
        result = CloneFailures.withoutCredentials(result);
        return result.length() > 600 ? result.substring(0, 600) : result;
    }

    /** The remote's branches and what its HEAD points to. */
    private record Remote(List<String> refNames, String headTarget) {}

    /**
     * The private global configuration of a local clone ({@code safe.directory = *}), beside the clone directory
     * in the job's workspace and deleted with the clone's end; none for a remote clone, which keeps
     * {@code /dev/null} as its global configuration.
     */
    private record LocalSafety(Optional<Path> file) implements AutoCloseable {

        static LocalSafety forTarget(CloneTarget target, Path directory) throws IOException {
            if (target.remote()) {
                return new LocalSafety(Optional.empty());
            }
            Path parent = directory.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path file = Files.createTempFile(parent, ".fondation-git-", ".config");
            Files.writeString(file, "[safe]\n\tdirectory = *\n", StandardCharsets.UTF_8);
            return new LocalSafety(Optional.of(file));
        }

        @Override
        public void close() throws IOException {
            if (file.isPresent()) {
                Files.deleteIfExists(file.get());
            }
        }
    }

    /** The settings shared by every git run of one clone. */
    private final class Invocation {
        final CloneTarget target;
        final String url;
        final List<String> config = new ArrayList<>();
        final Map<String, String> environment = new HashMap<>();
        final BooleanSupplier cancelled;

        Invocation(
                CloneTarget target,
                Optional<GitCredentials> credentials,
                Duration networkTimeout,
                BooleanSupplier cancelled) {
            this.target = target;
            this.url = target.remote()
                    ? target.uri()
                    : Path.of(target.uri()).toUri().toString();
            this.cancelled = cancelled;
            long seconds = Math.max(1, networkTimeout.toSeconds());
            // why: JGit's timeout is a socket read timeout; git's equivalent is "under 1 KB/s for that long".
            config(List.of(
                    "credential.helper=",
                    "protocol.version=2",
                    "http.lowSpeedLimit=1000",
                    "http.lowSpeedTime=" + seconds,
                    "core.askPass=",
                    "advice.detachedHead=false"));
            // why: only the transport of the job's own location, never another one a server might point to.
            environment.put(
                    "GIT_ALLOW_PROTOCOL", target.remote() ? URI.create(url).getScheme() : "file");
            credentials.ifPresent(c -> {
                config.add("-c");
                config.add("credential." + origin(target.uri()) + ".helper=" + HELPER);
                environment.put(USERNAME_VARIABLE, c.username());
                environment.put(PASSWORD_VARIABLE, c.password().reveal());
            });
        }

        private void config(List<String> entries) {
            for (String entry : entries) {
                config.add("-c");
                config.add(entry);
            }
        }

        boolean sendsCredentials() {
            return environment.containsKey(PASSWORD_VARIABLE);
        }

        GitCommand.Result git(List<String> arguments) throws IOException, CloneException {
            RepositoryCloner.checkCancelled(cancelled);
            List<String> all = new ArrayList<>(config);
            all.addAll(arguments);
            Optional<GitCommand.Result> result = git.run(all, environment, cancelled);
            if (result.isEmpty()) {
                throw CloneFailures.canceled(null);
            }
            return result.get();
        }
    }

    /** {@code scheme://host[:port]} of a URL: the scope of the credential helper. */
    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }
}
