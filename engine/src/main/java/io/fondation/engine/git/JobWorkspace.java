package io.fondation.engine.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directory of one job: {@code repo/} (the clone), {@code output/} (the analyzer's
 * output) and {@code home/} (the analyzer's own state: the {@code claude} analyzer's {@code HOME}). {@link #close()} deletes all of it and never throws, so it fits a {@code finally}.
 */
public final class JobWorkspace implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobWorkspace.class);

    private final Path root;

    /** The workspace at {@code root} (its folders are made by whoever creates it: {@link Workspaces#create}). */
    public JobWorkspace(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    /** The workspace directory. */
    public Path root() {
        return root;
    }

    /** Where the repository is cloned (created by the clone). */
    public Path repositoryDir() {
        return root.resolve("repo");
    }

    /** Where the analyzer writes its files ({@code --output-dir}); exists once the workspace is created. */
    public Path outputDir() {
        return root.resolve("output");
    }

    /** The analyzer's private, writable state directory; exists once the workspace is created. */
    public Path stateDir() {
        return root.resolve("home");
    }

    /**
     * Deletes the workspace.
     *
     * @return whether it is gone
     */
    public boolean delete() {
        try {
            FileTrees.deleteRecursively(root);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete workspace {}: {}", root, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        delete();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
