package io.fondation.convexqueue;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.shared.ConfigurationException;
import java.time.Duration;
import java.util.Map;

/**
 * How to reach the Convex deployment that holds the Fondation queue. Validated on construction;
 * {@link #toString()} never shows secrets.
 *
 * @param url {@code CONVEX_URL}, the deployment URL, e.g. {@code https://happy-otter-123.convex.cloud}
 * @param deployKey {@code CONVEX_DEPLOY_KEY}, sent as {@code Authorization: Convex <key>}, or {@code null}
 * @param workerSecret {@code FONDATION_WORKER_SECRET}, passed to the hardened functions, or {@code null}
 * @param encryptionKey {@code ENCRYPTION_KEY}, 64 hex characters, to decrypt users' GitHub tokens, or {@code null}
 * @param connectTimeout time to open a connection
 * @param requestTimeout time for one call
 * @param maxAttempts tries of an idempotent call before a transient failure is reported (at least 1)
 */
public record ConvexQueueSettings(
        String url,
        String deployKey,
        String workerSecret,
        String encryptionKey,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts) {

    public static final String CONVEX_URL = "CONVEX_URL";
    public static final String CONVEX_DEPLOY_KEY = "CONVEX_DEPLOY_KEY";
    public static final String FONDATION_WORKER_SECRET = "FONDATION_WORKER_SECRET";
    public static final String ENCRYPTION_KEY = "ENCRYPTION_KEY";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    /**
     * @throws ConfigurationException naming the setting that is missing or malformed
     */
    public ConvexQueueSettings {
        if (url == null || url.isBlank()) {
            throw new ConfigurationException(
                    CONVEX_URL,
                    "is required (the Convex deployment URL," + " e.g. https://happy-otter-123.convex.cloud)");
        }
        url = url.strip();
        try {
            ConvexClient.builder().url(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(CONVEX_URL, e.getMessage());
        }
        deployKey = blankToNull(deployKey);
        workerSecret = blankToNull(workerSecret);
        encryptionKey = blankToNull(encryptionKey);
        if (encryptionKey != null) {
            GitHubTokenCipher.parseKey(encryptionKey);
        }
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        if (connectTimeout.isNegative()
                || connectTimeout.isZero()
                || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("Convex timeouts must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
    }

    /** Settings for {@code url} with no secrets and the default timeouts. */
    public static ConvexQueueSettings of(String url) {
        return new ConvexQueueSettings(url, null, null, null, null, null, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * Reads {@code CONVEX_URL}, {@code CONVEX_DEPLOY_KEY}, {@code FONDATION_WORKER_SECRET} and
     * {@code ENCRYPTION_KEY}.
     *
     * @throws ConfigurationException naming the setting at fault
     */
    public static ConvexQueueSettings fromEnvironment(Map<String, String> env) {
        return new ConvexQueueSettings(
                env.get(CONVEX_URL),
                env.get(CONVEX_DEPLOY_KEY),
                env.get(FONDATION_WORKER_SECRET),
                env.get(ENCRYPTION_KEY),
                null,
                null,
                DEFAULT_MAX_ATTEMPTS);
    }

    /** The same settings with {@code CONVEX_DEPLOY_KEY} (blank for none). */
    public ConvexQueueSettings withDeployKey(String value) {
        return new ConvexQueueSettings(
                url, value, workerSecret, encryptionKey, connectTimeout, requestTimeout, maxAttempts);
    }

    /** The same settings with {@code FONDATION_WORKER_SECRET} (blank for none). */
    public ConvexQueueSettings withWorkerSecret(String value) {
        return new ConvexQueueSettings(
                url, deployKey, value, encryptionKey, connectTimeout, requestTimeout, maxAttempts);
    }

    /**
     * The same settings with {@code ENCRYPTION_KEY} (blank for none).
     *
     * @throws ConfigurationException when the key is not 64 hex characters
     */
    public ConvexQueueSettings withEncryptionKey(String value) {
        return new ConvexQueueSettings(
                url, deployKey, workerSecret, value, connectTimeout, requestTimeout, maxAttempts);
    }

    /** The same settings with other connect and request timeouts. */
    public ConvexQueueSettings withTimeouts(Duration connect, Duration request) {
        return new ConvexQueueSettings(url, deployKey, workerSecret, encryptionKey, connect, request, maxAttempts);
    }

    /** The same settings with another number of tries for idempotent calls (at least 1). */
    public ConvexQueueSettings withMaxAttempts(int value) {
        return new ConvexQueueSettings(
                url, deployKey, workerSecret, encryptionKey, connectTimeout, requestTimeout, value);
    }

    /** The client these settings describe. */
    ConvexClient.Builder clientBuilder() {
        return ConvexClient.builder()
                .url(url)
                .deployKey(deployKey)
                .connectTimeout(connectTimeout)
                .requestTimeout(requestTimeout)
                .maxAttempts(maxAttempts);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    @Override
    public String toString() {
        return "ConvexQueueSettings[url=" + url
                + ", deployKey=" + (deployKey == null ? "none" : "[redacted]")
                + ", workerSecret=" + (workerSecret == null ? "none" : "[redacted]")
                + ", encryptionKey=" + (encryptionKey == null ? "none" : "[redacted]")
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxAttempts=" + maxAttempts + "]";
    }
}
