package io.fondation.http.callback;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inside a container, {@code localhost} is the container itself, never the machine the receiver runs on: as in
 * the existing system, an {@code http://localhost} callback URL is rewritten to {@code http://host.docker.internal}
 * (Docker Desktop's name for the host; on Linux, run the container with
 * {@code --add-host=host.docker.internal:host-gateway}). {@code 127.0.0.1} and {@code [::1]} count as localhost.
 *
 * <p>{@code CALLBACK_REWRITE_LOCALHOST}: {@code auto} (the default) rewrites when the process runs in a container,
 * which it tells by the files container engines create, {@code /.dockerenv} (Docker) and {@code /run/.containerenv}
 * (Podman), and only when the local address does not answer (a receiver in the same container, or a container on
 * the host's network, is reached as it is) and {@code host.docker.internal} resolves (where it does not, the
 * rewritten URL could reach nothing); {@code true} always rewrites, {@code false} never.
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

    /** The network look-ups the {@code auto} mode makes; tests give their own. */
    public interface Probe {
        /** Whether something accepts a TCP connection at {@code host}:{@code port} (within a short time). */
        boolean answers(String host, int port);

        /** Whether {@code name} resolves to an address. */
        boolean resolves(String name);

        /** The real network: a connection attempt of at most {@value #CONNECT_TIMEOUT_MS} ms, a DNS look-up. */
        Probe NETWORK = new Probe() {
            @Override
            public boolean answers(String host, int port) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }

            @Override
            public boolean resolves(String name) {
                try {
                    return InetAddress.getAllByName(name).length > 0;
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        };
    }

    /** How long the {@code auto} mode waits for the local receiver to accept a connection. */
    public static final int CONNECT_TIMEOUT_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(LocalhostRewrite.class);

    private LocalhostRewrite() {}

    /**
     * Where callbacks for {@code url} go under {@code mode}: {@link #rewrite rewritten} when {@code mode} is
     * {@code ON}, or when it is {@code AUTO}, the process runs in a container, the URL's local address does not
     * answer and {@value #HOST_ALIAS} resolves; else {@code url} itself.
     */
    public static URI target(Mode mode, URI url, Path root, Probe probe) {
        URI rewritten = rewrite(url);
        if (rewritten.equals(url) || mode == Mode.OFF) {
            return url;
        }
        if (mode == Mode.ON) {
            return rewritten;
        }
        if (!inContainer(root)) {
            return url;
        }
        int port = url.getPort() >= 0 ? url.getPort() : 80;
        String host = url.getHost().startsWith("[") ? "::1" : url.getHost();
        if (probe.answers(host, port)) {
            return url;
        }
        if (!probe.resolves(HOST_ALIAS)) {
            LOG.warn(
                    "in a container, {} does not answer and {} does not resolve: callbacks go to {} as given (run the"
                            + " container with --add-host=host.docker.internal:host-gateway, or set CALLBACK_URL to"
                            + " an address the container reaches)",
                    url.getHost() + ":" + port,
                    HOST_ALIAS,
                    url.getHost());
            return url;
        }
        return rewritten;
    }

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
