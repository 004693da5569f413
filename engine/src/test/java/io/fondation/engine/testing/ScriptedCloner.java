package io.fondation.engine.testing;

import io.fondation.engine.git.CloneException;
import io.fondation.engine.git.ClonedRepository;
import io.fondation.engine.git.Cloner;
import io.fondation.shared.CloneSource;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A cloner port without git: it writes a one-file repository where the clone goes, or fails as told, and notes the
 * credentials each clone was offered.
 */
public final class ScriptedCloner implements Cloner {

    /** The head commit of the branch cloned, until {@link #moveHead} says otherwise. */
    public static final String FIRST_COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private volatile JobFailure failure;
    private final List<Optional<GitCredentials>> offered = new CopyOnWriteArrayList<>();
    private final List<String> commits = new CopyOnWriteArrayList<>(List.of(FIRST_COMMIT));
    private final List<String> wanted = new CopyOnWriteArrayList<>();

    /**
     * The branch moves on to {@code commit}; with {@code keepHistory}, the earlier commits can still be checked out
     * (a new commit on top), without, they are gone (a force push).
     */
    public ScriptedCloner moveHead(String commit, boolean keepHistory) {
        if (!keepHistory) {
            commits.clear();
        }
        commits.add(commit);
        return this;
    }

    /** The commits asked for by clones that named one, in order. */
    public List<String> wanted() {
        return List.copyOf(wanted);
    }

    /** Clones fail with {@code value} from now on ({@code null}: they succeed again). */
    public ScriptedCloner failWith(JobFailure value) {
        this.failure = value;
        return this;
    }

    /** The credentials each clone was given, in order. */
    public List<Optional<GitCredentials>> offered() {
        return List.copyOf(offered);
    }

    @Override
    public ClonedRepository clone(
            CloneSource source,
            Path directory,
            String commit,
            BooleanSupplier cancelled,
            Optional<GitCredentials> credentials)
            throws CloneException {
        wanted.add(commit);
        ClonedRepository head = clone(source, directory, cancelled, credentials);
        return commits.contains(commit)
                ? new ClonedRepository(directory, head.url(), head.branch(), commit, Duration.ZERO)
                : head;
    }

    @Override
    public ClonedRepository clone(
            CloneSource source, Path directory, BooleanSupplier cancelled, Optional<GitCredentials> credentials)
            throws CloneException {
        offered.add(credentials);
        JobFailure fails = failure;
        if (fails != null) {
            throw new CloneException(fails, null);
        }
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("README.md"), "# a scripted repository\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ClonedRepository(
                directory, source.describe(), "main", commits.get(commits.size() - 1), Duration.ZERO);
    }
}
