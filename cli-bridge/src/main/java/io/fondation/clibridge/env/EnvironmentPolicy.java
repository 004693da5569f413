package io.fondation.clibridge.env;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The allow-list of environment variables an analyzer child receives. Everything else, and in
 * particular the worker's own secrets, stays in the worker.
 *
 * <p>Names are exact ({@code PATH}) or prefixes ending in {@code *} ({@code CLAUDE_*}). Denied
 * names always win, even over extras: an extra that matches a denied name is refused.
 */
public final class EnvironmentPolicy {

    /** Exact names and prefixes the analyzer needs by default. */
    public static final List<String> DEFAULT_ALLOWED = List.of(
            "PATH",
            "LANG",
            "LANGUAGE",
            "LC_*",
            "TZ",
            "TMPDIR",
            "USER",
            "LOGNAME",
            "CLAUDE_*",
            "ANTHROPIC_*",
            "NODE_PATH",
            "NODE_OPTIONS",
            "NODE_EXTRA_CA_CERTS",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "NO_PROXY",
            "https_proxy",
            "http_proxy",
            "no_proxy",
            "API_TIMEOUT_MS",
            "DISABLE_AUTOUPDATER",
            "DISABLE_TELEMETRY",
            "DISABLE_ERROR_REPORTING",
            "DISABLE_NON_ESSENTIAL_MODEL_CALLS",
            "BASH_DEFAULT_TIMEOUT_MS",
            "BASH_MAX_TIMEOUT_MS",
            "MAX_THINKING_TOKENS",
            "BUN_INSTALL");

    /** Names and prefixes that are never passed on: the worker's own secrets. */
    public static final List<String> DENIED = List.of(
            "CONVEX_*",
            "ENCRYPTION_KEY",
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "GITHUB_*",
            "WORKER_SECRET",
            "FONDATION_WORKER_SECRET",
            "WORKER_*",
            "CALLBACK_TOKEN",
            "API_TOKEN",
            "API_READ_TOKEN",
            "JOB_TOKEN",
            "AWS_*",
            "GOOGLE_APPLICATION_CREDENTIALS");

    private final List<String> allowed;

    private EnvironmentPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** PATH, LANG, LC_*, TZ, CLAUDE_*, ANTHROPIC_*, NODE_PATH, NODE_OPTIONS and a few proxy/TLS settings. */
    public static EnvironmentPolicy defaults() {
        return new EnvironmentPolicy(DEFAULT_ALLOWED);
    }

    /**
     * A policy that also passes the given names (exact, or prefixes ending in {@code *}).
     *
     * @throws IllegalArgumentException if a name is malformed or is one of the denied secrets
     */
    public EnvironmentPolicy withExtras(Collection<String> extraNames) {
        Set<String> names = new LinkedHashSet<>(allowed);
        for (String raw : extraNames) {
            String name = raw == null ? "" : raw.trim();
            if (name.isEmpty() || name.equals("*") || !name.matches("[A-Za-z_][A-Za-z0-9_]*\\*?")) {
                throw new IllegalArgumentException("invalid environment variable name or prefix '" + raw
                        + "'; expected letters, digits and '_', optionally ending in '*'");
            }
            if (denied(name) || deniedPrefixOverlap(name)) {
                throw new IllegalArgumentException(
                        "environment variable '" + name + "' is a worker secret and is never passed to the analyzer");
            }
            names.add(name);
        }
        return new EnvironmentPolicy(List.copyOf(names));
    }

    /**
     * The variables of {@code source} the analyzer may see, with {@code HOME} set to {@code home}
     * (where the Claude credentials live) when given, else taken from {@code source}.
     */
    public Map<String, String> filter(Map<String, String> source, Path home) {
        Map<String, String> out = new TreeMap<>();
        source.forEach((name, value) -> {
            if (name != null && value != null && isAllowed(name)) {
                out.put(name, value);
            }
        });
        if (home != null) {
            out.put("HOME", home.toString());
        } else if (source.get("HOME") != null) {
            out.put("HOME", source.get("HOME"));
        }
        return out;
    }

    /** Whether a variable of this name would be passed. */
    public boolean isAllowed(String name) {
        if (denied(name)) {
            return false;
        }
        for (String pattern : allowed) {
            if (matches(pattern, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean denied(String name) {
        for (String pattern : DENIED) {
            if (matches(pattern, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean deniedPrefixOverlap(String pattern) {
        if (!pattern.endsWith("*")) {
            return false;
        }
        // A prefix such as "GIT*" or "CONV*" would cover denied names.
        String prefix = pattern.substring(0, pattern.length() - 1).toUpperCase(Locale.ROOT);
        for (String denied : DENIED) {
            String plain = denied.endsWith("*") ? denied.substring(0, denied.length() - 1) : denied;
            if (plain.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(name);
    }

    @Override
    public String toString() {
        return "EnvironmentPolicy" + allowed;
    }
}
