package io.fondation.engine.git;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Deletes directory trees, including read-only files and directories (git pack files are read-only). */
public final class FileTrees {

    private FileTrees() {}

    /**
     * Deletes {@code root} and everything below it. Symbolic links are deleted, never followed.
     * A missing {@code root} is not an error.
     *
     * @throws IOException when something could not be deleted even after making it writable
     */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                // A directory without write or execute permission cannot have its entries removed or listed.
                makeOwnerWritable(dir, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                // Most often a directory we could not open: unlock it and delete it as a tree.
                makeOwnerWritable(file, true);
                if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    deleteRecursively(file);
                } else {
                    delete(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path path) throws IOException {
        try {
            Files.deleteIfExists(path);
        } catch (AccessDeniedException e) {
            Path parent = path.getParent();
            if (parent != null) {
                makeOwnerWritable(parent, true);
            }
            makeOwnerWritable(path, Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            Files.deleteIfExists(path);
        }
    }

    private static void makeOwnerWritable(Path path, boolean directory) {
        try {
            if (Files.isSymbolicLink(path)) {
                return;
            }
            Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(path));
            boolean changed = permissions.add(PosixFilePermission.OWNER_WRITE);
            changed |= permissions.add(PosixFilePermission.OWNER_READ);
            if (directory) {
                changed |= permissions.add(PosixFilePermission.OWNER_EXECUTE);
            }
            if (changed) {
                Files.setPosixFilePermissions(path, permissions);
            }
        } catch (UnsupportedOperationException e) {
            path.toFile().setWritable(true);
        } catch (IOException | IllegalArgumentException e) {
            // Best effort: the delete that follows reports the real problem.
        }
    }
}
