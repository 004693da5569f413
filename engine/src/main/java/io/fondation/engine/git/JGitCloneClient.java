package io.fondation.engine.git;

import io.fondation.shared.GitCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
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
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Clones with JGit: lists the remote's refs to choose the branch, fetches that one branch at depth 1 without tags,
 * then checks out with {@code core.autocrlf=input} (which halves checkout time on repositories with
 * {@code * text=auto}). Credentials go through a JGit credentials provider, never the URL.
 */
final class JGitCloneClient implements CloneClient {

    private static final String REMOTE = Constants.DEFAULT_REMOTE_NAME;

    @Override
    public GitClient kind() {
        return GitClient.JGIT;
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
        CredentialsProvider provider = credentials
                .map(c -> new UsernamePasswordCredentialsProvider(
                        c.username(), c.password().reveal()))
                .orElse(null);
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, networkTimeout.toSeconds()));
        String branch = null;
        try {
            Map<String, Ref> refs = Git.lsRemoteRepository()
                    .setRemote(target.uri())
                    .setCredentialsProvider(provider)
                    .setTimeout(timeout)
                    .callAsMap();
            RepositoryCloner.checkCancelled(cancelled);
            Ref head = refs.get(Constants.HEAD);
            String headTarget =
                    head != null && head.isSymbolic() ? head.getTarget().getName() : null;
            branch = CloneFailures.chooseBranch(requestedBranch, target, refs.keySet(), headTarget);
            String branchRef = Constants.R_HEADS + branch;
            // why init + fetch rather than CloneCommand: a fetch ends with JGit's auto gc, by default in a background
            // thread that locks .git/gc.log; the workspace is often deleted before it lets go, and JGit then logs an
            // ERROR. The new repository's config turns auto gc off before the fetch, which CloneCommand cannot.
            if (isNonEmptyDirectory(directory)) {
                // why: git init accepts a non-empty folder, where a clone must not mix with what is there
                throw new IOException(
                        "destination path " + directory + " already exists and is not an empty directory");
            }
            try (Git git = Git.init()
                    .setDirectory(directory.toFile())
                    .setInitialBranch(branch)
                    .call()) {
                Repository repository = git.getRepository();
                StoredConfig config = repository.getConfig();
                config.setBoolean(
                        ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
                config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
                config.setString(
                        ConfigConstants.CONFIG_REMOTE_SECTION, REMOTE, ConfigConstants.CONFIG_KEY_URL, target.uri());
                config.save();
                String remoteRef = Constants.R_REMOTES + REMOTE + "/" + branch;
                git.fetch()
                        .setRemote(REMOTE)
                        .setCredentialsProvider(provider)
                        .setTimeout(timeout)
                        .setDepth(1)
                        // only the one branch, no tags (see jgit-clone notes)
                        .setRefSpecs(new RefSpec("+" + branchRef + ":" + remoteRef))
                        .setTagOpt(TagOpt.NO_TAGS)
                        .setRecurseSubmodules(FetchRecurseSubmodulesMode.NO)
                        .setProgressMonitor(new CancellingMonitor(cancelled))
                        .call();
                RepositoryCloner.checkCancelled(cancelled);
                ObjectId fetched = repository.resolve(remoteRef);
                if (fetched == null) {
                    throw new IOException("the fetch brought no " + branchRef);
                }
                RefUpdate local = repository.updateRef(branchRef);
                local.setNewObjectId(fetched);
                RefUpdate.Result created = local.forceUpdate();
                if (created != RefUpdate.Result.NEW && created != RefUpdate.Result.FORCED) {
                    throw new IOException("could not create " + branchRef + ": " + created);
                }
                // Checkout happens here, after core.autocrlf=input is set on the new repository.
                String commit = checkout(repository);
                return new ClonedRepository(directory, target.display(), branch, commit, Duration.ZERO);
            }
        } catch (CloneException e) {
            throw e;
        } catch (GitAPIException | IOException | RuntimeException e) {
            // JGit reports a cancelled monitor in many shapes (even "Missing unknown <id>"): trust the flag.
            if (cancelled.getAsBoolean()) {
                throw CloneFailures.canceled(e);
            }
            throw CloneFailures.classify(
                    describe(e), hasCause(e, NoRemoteRepositoryException.class), target, branch, provider != null, e);
        }
    }

    private static boolean isNonEmptyDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return Files.exists(directory);
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isPresent();
        }
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
        return CloneFailures.withoutCredentials(result);
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
