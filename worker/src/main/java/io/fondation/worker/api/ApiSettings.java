package io.fondation.worker.api;

import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Secret;
import io.fondation.worker.config.AllowedHosts;
import io.fondation.worker.config.HttpDefaults;
import io.fondation.worker.config.WorkerConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The HTTP API's settings.
 *
 * @param enabled {@code HTTP_API}: whether the API and the status page are served (on the health server's port)
 * @param token {@code API_TOKEN}: the bearer token of every endpoint that changes something, or {@code null} (only
 *     allowed on loopback)
 * @param maxBodyBytes {@code API_MAX_BODY_BYTES}: the largest request body read; larger ones get 413
 * @param host {@code HEALTH_HOST}: the address the server binds
 * @param allowLocalRepositories {@code ALLOW_LOCAL_REPOSITORIES}: whether a job may name a path on this machine
 */
public record ApiSettings(
        boolean enabled, Secret token, int maxBodyBytes, String host, boolean allowLocalRepositories) {

    public ApiSettings {
        Objects.requireNonNull(host, "host");
    }

    /**
     * Reads the settings.
     *
     * @param values the environment with the flags applied (same names)
     * @param defaultEnabled whether {@code HTTP_API} is on when unset ({@code dev --serve})
     * @throws ConfigurationException naming the variable at fault; also when the API would listen beyond loopback
     *     without {@code API_TOKEN}, or when it is on and the health server is off
     */
    public static ApiSettings load(Map<String, String> values, WorkerConfig config, boolean defaultEnabled) {
        String enabledText = trimmed(values.get("HTTP_API"));
        boolean enabled;
        if (enabledText == null) {
            enabled = defaultEnabled;
        } else {
            enabled = switch (enabledText.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw new ConfigurationException("HTTP_API", "'" + enabledText + "' is not true or false");
            };
        }
        String tokenText = trimmed(values.get("API_TOKEN"));
        Secret token = tokenText == null ? null : Secret.of(tokenText);
        if (token != null && tokenText.length() < 16) {
            throw new ConfigurationException(
                    "API_TOKEN",
                    "too short (" + tokenText.length() + " characters); use at least 16 random characters");
        }
        int maxBody = HttpDefaults.API_MAX_BODY_BYTES;
        String maxText = trimmed(values.get("API_MAX_BODY_BYTES"));
        if (maxText != null) {
            try {
                maxBody = Integer.parseInt(maxText);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(
                        "API_MAX_BODY_BYTES", "'" + maxText + "' is not a whole number of bytes");
            }
            if (maxBody < 1024 || maxBody > 16 * 1024 * 1024) {
                throw new ConfigurationException("API_MAX_BODY_BYTES", maxBody + " is outside 1024 – 16777216");
            }
        }
        ApiSettings settings =
                new ApiSettings(enabled, token, maxBody, config.healthHost(), config.allowLocalRepositories());
        if (enabled) {
            if (!config.healthEnabled()) {
                throw new ConfigurationException(
                        "HTTP_API", "the API is served on the health server's port, and HEALTH_PORT is -1");
            }
            if (!settings.loopbackOnly() && token == null) {
                throw new ConfigurationException(
                        "API_TOKEN",
                        "required: the HTTP API would listen on " + config.healthHost()
                                + ", beyond loopback, where anyone who reaches the port could submit and cancel jobs;"
                                + " set API_TOKEN to a long random value (for example openssl rand -hex 32), or"
                                + " HEALTH_HOST=127.0.0.1");
            }
        }
        return settings;
    }

    /**
     * Whether the server binds only a loopback address: {@code localhost} or a loopback IP literal, exactly (a name
     * such as {@code 127.evil.example} is not loopback, whatever it starts with).
     */
    public boolean loopbackOnly() {
        return AllowedHosts.isLoopback(host);
    }

    /** Whether the changing endpoints need the bearer token. */
    public boolean authRequired() {
        return token != null;
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
