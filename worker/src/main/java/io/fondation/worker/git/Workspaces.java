package io.fondation.worker.git;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates job workspaces under {@code TEMP_DIR/<worker id>/}. Each worker id has its own folder so
 * that a worker can delete what an earlier run of itself left behind (a crash, a kill -9) without
 * touching the workspaces of other workers sharing {@code TEMP_DIR}. Directories are private to the
 * owner (0700) where the file system supports it: they hold clones of private repositories.
 */
public final class Workspaces {

    private static final Logger LOG = LoggerFactory.getLogger(Workspaces.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    public Workspaces(Path tempDir, String workerId) {
        Objects.requireNonNull(tempDir, "tempDir");
        this.root = tempDir.resolve(safeName(Objects.requireNonNull(workerId, "workerId")));
    }

    /** The folder of this worker's workspaces. */
    public Path root() {
        return root;
    }

    /**
     * Creates a new, empty workspace for {@code jobId}, with its {@code output/} folder.
     *
     * @throws IOException when {@code TEMP_DIR} cannot be written
     */
    public JobWorkspace create(String jobId) throws IOException {
        createPrivateDirectories(root);
        for (int tries = 0; ; tries++) {
            byte[] suffix = new byte[3];
            RANDOM.nextBytes(suffix);
            Path dir = root.resolve(safeName(jobId) + "-" + HexFormat.of().formatHex(suffix));
            try {
                createPrivateDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (tries < 5) {
                    continue;
                }
                throw e;
            }
            JobWorkspace workspace = new JobWorkspace(dir);
            Files.createDirectory(workspace.outputDir());
            return workspace;
        }
    }

    /**
     * Deletes workspaces left by an earlier run of this worker. Call before the first job.
     *
     * @return how many were deleted
     */
    public int deleteStale() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                try {
                    FileTrees.deleteRecursively(entry);
                    deleted++;
                } catch (IOException e) {
                    LOG.warn("could not delete stale workspace {}: {}", entry, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", root, e.toString());
        }
        return deleted;
    }

    /** Letters, digits, dot, underscore and dash; anything else becomes '_' (ids come from the queue). */
    static String safeName(String value) {
        String safe = value.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            safe = "_" + safe;
        }
        return safe.length() > 80 ? safe.substring(0, 80) : safe;
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            createPrivateDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<?> ownerOnly =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Files.createDirectory(dir, ownerOnly);
        } else {
            Files.createDirectory(dir);
        }
    }
}
