package io.fondation.engine.analyzer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An analyzer program's version for a checkpoint's basis: {@code sha256:} and the SHA-256 of its file (the Fondation
 * CLI's bundle, the {@code claude} executable), so that a checkpoint made by another build is not resumed from. The
 * digest is kept per path, size and modification time: an unchanged file is read once per process.
 */
final class Versions {

    private record Key(Path path, long size, long modified) {}

    private static final Map<Key, String> DIGESTS = new ConcurrentHashMap<>();

    private Versions() {}

    /** The version of the program at {@code file}; empty when it cannot be read (the attempt then keeps no checkpoint). */
    static Optional<String> of(Path file) {
        try {
            Path real = file.toRealPath();
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            Key key = new Key(
                    real, attributes.size(), attributes.lastModifiedTime().toMillis());
            String digest = DIGESTS.get(key);
            if (digest == null) {
                digest = sha256(real);
                DIGESTS.put(key, digest);
            }
            return Optional.of("sha256:" + digest);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[64 * 1024];
            while (in.read(buffer) >= 0) {
                // why: reading is what feeds the digest
            }
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
