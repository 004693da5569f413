package io.fondation.worker.config;

import io.fondation.shared.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which queue the worker takes jobs from and how to reach it.
 *
 * @param kind embedded (a local SQLite file) or convex
 * @param embeddedDbPath the SQLite file of the embedded queue
 * @param convexUrl the Convex deployment URL, or {@code null} for the embedded queue
 * @param convexDeployKey the Convex deploy key, or {@code null}
 * @param workerSecret the shared secret the worker presents to the queue functions, or {@code null}
 * @param encryptionKey the key (64 hex characters) that decrypts users' stored GitHub tokens, or {@code null}
 * @param maxRunningPerUser the embedded queue's cap on one user's live jobs ({@code MAX_RUNNING_PER_USER}; 0: none)
 */
public record QueueSettings(
        Kind kind,
        Path embeddedDbPath,
        URI convexUrl,
        Secret convexDeployKey,
        Secret workerSecret,
        Secret encryptionKey,
        int maxRunningPerUser) {

    /** The queue backends. */
    public enum Kind {
        EMBEDDED("embedded"),
        CONVEX("convex");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        /** The value of the {@code QUEUE} variable that selects this backend. */
        public String configName() {
            return configName;
        }
    }

    public QueueSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(embeddedDbPath, "embeddedDbPath");
        if (kind == Kind.CONVEX && convexUrl == null) {
            throw new IllegalArgumentException("the convex queue needs a URL");
        }
        if (maxRunningPerUser < 0) {
            throw new IllegalArgumentException("maxRunningPerUser must not be negative");
        }
    }

    /** Settings without a cap per user. */
    public QueueSettings(
            Kind kind,
            Path embeddedDbPath,
            URI convexUrl,
            Secret convexDeployKey,
            Secret workerSecret,
            Secret encryptionKey) {
        this(kind, embeddedDbPath, convexUrl, convexDeployKey, workerSecret, encryptionKey, 0);
    }

    public Optional<URI> optionalConvexUrl() {
        return Optional.ofNullable(convexUrl);
    }

    public Optional<Secret> optionalConvexDeployKey() {
        return Optional.ofNullable(convexDeployKey);
    }

    public Optional<Secret> optionalWorkerSecret() {
        return Optional.ofNullable(workerSecret);
    }

    public Optional<Secret> optionalEncryptionKey() {
        return Optional.ofNullable(encryptionKey);
    }

    /** The default file: {@code ${XDG_DATA_HOME:-~/.local/share}/fondation/queue.db}. */
    public static Path defaultEmbeddedDbPath(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        Path base;
        if (xdg != null && !xdg.isBlank()) {
            base = Path.of(xdg);
        } else {
            String home = env.get("HOME");
            base = Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"))
                    .resolve(".local")
                    .resolve("share");
        }
        return base.resolve("fondation").resolve("queue.db");
    }
}
