package io.fondation.worker.callback;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Inside a container, {@code localhost} is the container itself, never the machine the receiver runs on: as in
 * the existing system, an {@code http://localhost} callback URL is rewritten to {@code http://host.docker.internal}
 * (Docker Desktop's name for the host; on Linux, run the container with
 * {@code --add-host=host.docker.internal:host-gateway}). {@code 127.0.0.1} and {@code [::1]} count as localhost.
 *
 * <p>{@code CALLBACK_REWRITE_LOCALHOST}: {@code auto} (the default) rewrites when the process runs in a container,
 * which it tells by the files container engines create, {@code /.dockerenv} (Docker) and {@code /run/.containerenv}
 * (Podman); {@code true} always rewrites, {@code false} never.
 */
public final class LocalhostRewrite {

    /** The host a container reaches the machine it runs on by. */
    public static final String HOST_ALIAS = "host.docker.internal";

    private static final Set<String> LOCALHOST = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    /** The values of {@code CALLBACK_REWRITE_LOCALHOST}. */
    public enum Mode {
        AUTO,
        ON,
        OFF;

        /** @throws IllegalArgumentException naming the accepted values */
        public static Mode parse(String value) {
            if (value == null || value.isBlank()) {
                return AUTO;
            }
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "true", "yes", "1", "on" -> ON;
                case "false", "no", "0", "off" -> OFF;
                default -> throw new IllegalArgumentException("'" + value + "' is not auto, true or false");
            };
        }
    }

    private LocalhostRewrite() {}

    /** Whether this process runs in a container, judged by the marker files under {@code root} ({@code /}). */
    public static boolean inContainer(Path root) {
        return Files.exists(root.resolve(".dockerenv")) || Files.exists(root.resolve("run/.containerenv"));
    }

    /** Whether {@code mode} rewrites here. */
    public static boolean applies(Mode mode, Path root) {
        return switch (mode) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> inContainer(root);
        };
    }

    /** The URL with a localhost host replaced by {@value #HOST_ALIAS}; any other URL unchanged. */
    public static URI rewrite(URI url) {
        String host = url.getHost();
        if (!"http".equalsIgnoreCase(url.getScheme())
                || host == null
                || !LOCALHOST.contains(host.toLowerCase(Locale.ROOT))) {
            return url;
        }
        try {
            return new URI(
                    url.getScheme(), null, HOST_ALIAS, url.getPort(), url.getPath(), url.getQuery(), url.getFragment());
        } catch (URISyntaxException e) {
            return url;
        }
    }
}
