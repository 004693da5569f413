package io.fondation.worker.config;

import io.fondation.http.HttpDefaults;
import io.fondation.http.api.AllowedHosts;
import io.fondation.http.api.ApiSettings;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Secret;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the HTTP API's {@link ApiSettings} from the environment ({@code HTTP_API}, {@code API_TOKEN} ...). */
public final class ApiSettingsLoader {

    private ApiSettingsLoader() {}

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
        Secret token = token(values, "API_TOKEN");
        Secret readToken = token(values, "API_READ_TOKEN");
        if (readToken != null && token == null) {
            throw new ConfigurationException(
                    "API_READ_TOKEN",
                    "set without API_TOKEN; the read-only token guards reads only where API_TOKEN guards the rest");
        }
        if (readToken != null && readToken.reveal().equals(token.reveal())) {
            throw new ConfigurationException(
                    "API_READ_TOKEN", "is the same as API_TOKEN; give the dashboards a token of their own");
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
        ApiSettings settings = new ApiSettings(
                enabled,
                token,
                readToken,
                maxBody,
                config.healthHost(),
                config.allowLocalRepositories(),
                callbackAllowedHosts(values));
        if (enabled) {
            if (!config.healthEnabled()) {
                throw new ConfigurationException(
                        "HTTP_API", "the API is served on the health server's port, and HEALTH_PORT is -1");
            }
            if (!settings.loopbackOnly() && token == null) {
                throw new ConfigurationException(
                        "API_TOKEN",
                        "required: the HTTP API would listen on " + config.healthHost()
                                + ", beyond loopback, where anyone who reaches the port could read, submit and cancel"
                                + " jobs;"
                                + " set API_TOKEN to a long random value (for example openssl rand -hex 32), or"
                                + " HEALTH_HOST=127.0.0.1");
            }
        }
        return settings;
    }

    private static Set<String> callbackAllowedHosts(Map<String, String> values) {
        Set<String> hosts = new LinkedHashSet<>();
        String text = trimmed(values.get("CALLBACK_ALLOWED_HOSTS"));
        for (String raw : text == null ? new String[0] : text.split(",")) {
            String host = raw.strip();
            if (host.isEmpty()) {
                continue;
            }
            if (!AllowedHosts.isName(host) && !AllowedHosts.isIpLiteral(host)) {
                throw new ConfigurationException(
                        "CALLBACK_ALLOWED_HOSTS",
                        "'" + host + "' is not a host name or IP address (give hosts, comma-separated, without"
                                + " scheme or port)");
            }
            hosts.add(host.toLowerCase(Locale.ROOT));
        }
        return hosts;
    }

    private static Secret token(Map<String, String> values, String name) {
        String text = trimmed(values.get(name));
        if (text != null && text.length() < 16) {
            throw new ConfigurationException(
                    name, "too short (" + text.length() + " characters); use at least 16 random characters");
        }
        return text == null ? null : Secret.of(text);
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
