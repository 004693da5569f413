package io.fondation.http.api;

import io.fondation.shared.Secret;
import java.util.Objects;
import java.util.Set;

/**
 * The HTTP API's settings (the application reads them from its environment).
 *
 * @param enabled {@code HTTP_API}: whether the API and the status page are served (on the health server's port)
 * @param token {@code API_TOKEN}: the bearer token of every endpoint, reads included, or {@code null} (only allowed
 *     on loopback; then nothing is guarded)
 * @param readToken {@code API_READ_TOKEN}: a second token that reads only (for dashboards), or {@code null}
 * @param maxBodyBytes {@code API_MAX_BODY_BYTES}: the largest request body read; larger ones get 413
 * @param host {@code HEALTH_HOST}: the address the server binds
 * @param allowLocalRepositories {@code ALLOW_LOCAL_REPOSITORIES}: whether a job may name a path on this machine
 * @param callbackAllowedHosts {@code CALLBACK_ALLOWED_HOSTS}: the hosts {@code /execute}'s callbacks may reach even
 *     though they resolve to a loopback, link-local or private address
 */
public record ApiSettings(
        boolean enabled,
        Secret token,
        Secret readToken,
        int maxBodyBytes,
        String host,
        boolean allowLocalRepositories,
        Set<String> callbackAllowedHosts) {

    public ApiSettings {
        Objects.requireNonNull(host, "host");
        callbackAllowedHosts = Set.copyOf(callbackAllowedHosts);
        if (readToken != null && token == null) {
            throw new IllegalArgumentException("a read-only token needs the API token too");
        }
    }

    /**
     * Whether the server binds only a loopback address: {@code localhost} or a loopback IP literal, exactly (a name
     * such as {@code 127.evil.example} is not loopback, whatever it starts with).
     */
    public boolean loopbackOnly() {
        return AllowedHosts.isLoopback(host);
    }

    /** Whether the endpoints need a token (every one but the page's files, the description and signing in). */
    public boolean authRequired() {
        return token != null;
    }

    /** These settings with {@code token} as {@code API_TOKEN} ({@code dev --serve} makes one when none is set). */
    public ApiSettings withToken(Secret newToken) {
        return new ApiSettings(
                enabled, newToken, readToken, maxBodyBytes, host, allowLocalRepositories, callbackAllowedHosts);
    }
}
