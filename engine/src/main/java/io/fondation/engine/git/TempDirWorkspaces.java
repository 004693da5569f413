package io.fondation.engine.git;

import io.fondation.shared.ConfigurationException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates job workspaces under {@code TEMP_DIR/<worker id>/}. A worker holds an exclusive lock on its folder
 * ({@code .lock}) while it runs, so that at start a worker can tell the folders of workers that died (a crash, a
 * {@code kill -9}) from those of live ones sharing {@code TEMP_DIR}: it kills whatever a dead worker's analyzer left
 * running in them and deletes them, whatever the dead worker's id was. Directories are private to the owner (0700)
 * where the file system supports it: they hold clones of private repositories.
 */
public final class TempDirWorkspaces implements Workspaces {

    private static final Logger LOG = LoggerFactory.getLogger(TempDirWorkspaces.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String LOCK_FILE = ".lock";
    /** Held across processes while a worker takes its folder or clears a dead one; never deleted. */
    static final String GATE_FILE = ".workers.lock";
    /** The same gate between workers of one JVM: a JVM may not hold two locks on one file. */
    private static final ReentrantLock GATE_IN_JVM = new ReentrantLock();

    private final Path tempDir;
    private final Path root;
    private final long minFreeBytes;
    private FileChannel lockChannel;
    private FileLock lock;

    /**
     * @param minFreeBytes the least free space {@code TEMP_DIR} must have before a job starts
     */
    public TempDirWorkspaces(Path tempDir, String workerId, long minFreeBytes) {
        this.tempDir = Objects.requireNonNull(tempDir, "tempDir");
        this.root = tempDir.resolve(safeName(Objects.requireNonNull(workerId, "workerId")));
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must not be negative");
        }
        this.minFreeBytes = minFreeBytes;
    }

    /** TempDirWorkspaces without a free-space requirement. */
    public TempDirWorkspaces(Path tempDir, String workerId) {
        this(tempDir, workerId, 0);
    }

    /** {@code TEMP_DIR}. */
    public Path tempDir() {
        return tempDir;
    }

    /** The folder of this worker's workspaces. */
    @Override
    public Path root() {
        return root;
    }

    /**
     * Creates a new, empty workspace for {@code jobId}, with its {@code output/} and {@code home/} folders.
     *
     * @throws IOException when {@code TEMP_DIR} cannot be written
     */
    @Override
    public synchronized JobWorkspace create(String jobId) throws IOException {
        lockRoot();
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
            createPrivateDirectory(workspace.stateDir());
            return workspace;
        }
    }

    /**
     * Whether {@code TEMP_DIR} lacks the free space a job needs.
     *
     * @return the problem in words, naming the setting, or empty when there is room
     */
    @Override
    public Optional<String> missingFreeSpace() {
        if (minFreeBytes == 0) {
            return Optional.empty();
        }
        try {
            Path existing = tempDir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            long free =
                    Files.getFileStore(existing == null ? tempDir : existing).getUsableSpace();
            if (free < minFreeBytes) {
                return Optional.of("TEMP_DIR (" + tempDir + ") has " + free / (1024 * 1024) + " MiB free, less than"
                        + " the " + minFreeBytes / (1024 * 1024) + " MiB a job needs (MIN_FREE_DISK_MB)");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot read the free space of TEMP_DIR (" + tempDir + "): " + e);
        }
    }

    /**
     * Takes this worker's folder (locking it) and deletes what workers that are gone left in {@code TEMP_DIR}:
     * this worker's own earlier workspaces, and the folders of dead workers of any id, after killing processes
     * still running inside them. Folders of live workers are left alone. Call before the first job.
     *
     * @return how many workspaces were deleted
     * @throws ConfigurationException naming {@code WORKER_ID} when a live worker already uses this worker's folder
     */
    @Override
    public synchronized int deleteStale() {
        try {
            lockRoot();
        } catch (IOException e) {
            LOG.warn("could not take {}: {}", root, e.toString());
            return 0;
        }
        int deleted = deleteChildren(root);
        try (DirectoryStream<Path> workers = Files.newDirectoryStream(tempDir, Files::isDirectory)) {
            for (Path folder : workers) {
                if (!folder.equals(root) && Files.exists(folder.resolve(LOCK_FILE))) {
                    deleted += underGate(() -> deleteIfOwnerIsGone(folder));
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", tempDir, e.toString());
        }
        return deleted;
    }

    /** Releases this worker's folder. */
    @Override
    public synchronized void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debug("releasing {} failed", root, e);
        } finally {
            lock = null;
            lockChannel = null;
        }
    }

    private void lockRoot() throws IOException {
        if (lock != null) {
            return;
        }
        // why: a worker starting beside this one probes every folder's lock to find dead owners; without the gate
        // its probe could land between our creating the lock file and locking it, take this folder for a dead
        // worker's, and make us refuse to start (or delete the folder under us).
        underGate(() -> {
            takeRoot();
            return 0;
        });
    }

    private void takeRoot() throws IOException {
        createPrivateDirectories(root);
        FileChannel channel =
                FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock taken;
        try {
            taken = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            taken = null;
        }
        if (taken == null) {
            channel.close();
            throw new ConfigurationException(
                    "WORKER_ID",
                    "another running worker already uses " + root
                            + "; give each worker sharing TEMP_DIR its own WORKER_ID");
        }
        lockChannel = channel;
        lock = taken;
    }

    private interface GatedStep {
        int run() throws IOException;
    }

    /** Runs {@code step} holding {@code TEMP_DIR/.workers.lock}: taking a folder and clearing one never interleave. */
    private int underGate(GatedStep step) throws IOException {
        Files.createDirectories(tempDir);
        GATE_IN_JVM.lock();
        try (FileChannel gate =
                FileChannel.open(tempDir.resolve(GATE_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = gate.lock(); // blocks while another process takes or clears a folder: milliseconds
            try {
                return step.run();
            } finally {
                held.release();
            }
        } finally {
            GATE_IN_JVM.unlock();
        }
    }

    /** Deletes a dead worker's folder; a live worker holds its lock, and its folder is left alone. */
    private int deleteIfOwnerIsGone(Path folder) {
        try (FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return 0; // another worker in this JVM holds it
            }
            if (probe == null) {
                return 0;
            }
            try {
                ProcessesInside.kill(folder);
                int deleted = deleteChildren(folder);
                LOG.info("deleted the folder of a worker that is gone: {}", folder);
                return deleted;
            } finally {
                // why: deleted while still locked, so no new owner can take the folder between the two steps.
                Files.deleteIfExists(folder.resolve(LOCK_FILE));
                Files.deleteIfExists(folder);
                probe.release();
            }
        } catch (IOException e) {
            LOG.warn("could not clean {}: {}", folder, e.toString());
            return 0;
        }
    }

    private static int deleteChildren(Path folder) {
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
                folder, entry -> !entry.getFileName().toString().equals(LOCK_FILE))) {
            for (Path entry : entries) {
                ProcessesInside.kill(entry);
                try {
                    FileTrees.deleteRecursively(entry);
                    deleted++;
                } catch (IOException e) {
                    LOG.warn("could not delete stale workspace {}: {}", entry, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", folder, e.toString());
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
