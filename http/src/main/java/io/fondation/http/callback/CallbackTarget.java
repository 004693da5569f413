package io.fondation.http.callback;

import io.fondation.shared.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * Where callbacks go and the per-job token they carry. The token travels only in the {@value
 * CallbackClient#TOKEN_HEADER} header: never in the URL, a log line or an error message ({@link #toString()}
 * and {@link #describe()} show neither the token nor the URL's query).
 *
 * @param url an {@code http} or {@code https} URL without credentials
 * @param token the job's token, or {@code null} when the receiver wants none
 */
public record CallbackTarget(URI url, Secret token) {

    public CallbackTarget {
        Objects.requireNonNull(url, "url");
        requireUsable(url);
    }

    /**
     * Parses a callback URL.
     *
     * @throws IllegalArgumentException saying what is wrong, without repeating credentials
     */
    public static URI parseUrl(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty; give the http(s) URL the callbacks are posted to");
        }
        URI url;
        try {
            url = new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL (" + e.getReason() + ")");
        }
        requireUsable(url);
        return url;
    }

    private static void requireUsable(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + (scheme.isEmpty() ? "(no scheme)" : scheme)
                    + "' is not supported; callbacks are posted to an http or https URL");
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "the URL must not contain credentials (user:password@); the job's token goes in CALLBACK_TOKEN,"
                            + " which is sent as the " + CallbackClient.TOKEN_HEADER + " header");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("the URL has no host");
        }
    }

    /** The URL for logs: scheme, host, port and path, without the query (which may carry a secret). */
    public String describe() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
        return "CallbackTarget[" + describe() + (token == null ? "" : ", token [redacted]") + "]";
    }
}
