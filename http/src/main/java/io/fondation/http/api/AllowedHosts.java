package io.fondation.http.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The names the health and API server answers to, matched exactly against a request's {@code Host} (and an
 * {@code Origin}'s host), so that a page of another site cannot reach the server by rebinding its own name to the
 * server's address (DNS rebinding): the browser would then send that name, which is not on the list.
 *
 * <p>Accepted: {@code localhost}; the names of {@code HEALTH_ALLOWED_HOSTS}; and IP address literals (an IP literal
 * cannot be rebound: a browser sends one only to a page served from that very address), but only loopback ones when
 * the server binds loopback. Nothing is matched by prefix or suffix: {@code 127.0.0.1.evil.example},
 * {@code 127.evil.example}, {@code 127.0.0.1evil} and {@code localhost.evil} are refused.
 *
 * @param loopbackOnly whether the server binds a loopback address only
 * @param names the configured public names, lower case
 */
public record AllowedHosts(boolean loopbackOnly, Set<String> names) {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*");

    public AllowedHosts {
        names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param bindHost {@code HEALTH_HOST}, the address the server binds
     * @param names {@code HEALTH_ALLOWED_HOSTS}
     */
    public static AllowedHosts of(String bindHost, List<String> names) {
        return new AllowedHosts(isLoopback(bindHost), Set.copyOf(names));
    }

    /** Whether {@code name} is a valid entry of {@code HEALTH_ALLOWED_HOSTS}: a DNS name, lower or upper case. */
    public static boolean isName(String name) {
        return name.length() <= 253
                && NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * Whether {@code host} is {@code localhost} or a loopback IP literal ({@code 127.0.0.0/8}, {@code ::1}, with or
     * without brackets), exactly: no name that merely starts like one.
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        InetAddress address = literal(h);
        return address != null && address.isLoopbackAddress();
    }

    /** Whether a request whose {@code Host} names {@code host} (without the port) is answered. */
    public boolean allows(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || names.contains(h)) {
            return true;
        }
        InetAddress address = literal(h);
        return address != null && (!loopbackOnly || address.isLoopbackAddress());
    }

    /**
     * Whether a request may carry this {@code Origin}: none, or this server's own origin, that is an {@code http} or
     * {@code https} origin whose host and port are the request's {@code Host} header, exactly. {@code null} (an
     * opaque origin: a sandboxed frame, a {@code data:} page) is refused.
     *
     * @param origin the {@code Origin} header, or {@code null} when absent
     * @param hostHeader the {@code Host} header as sent (with its port, if any)
     */
    public static boolean sameOrigin(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("http://")) {
            rest = lower.substring("http://".length());
        } else if (lower.startsWith("https://")) {
            rest = lower.substring("https://".length());
        } else {
            return false;
        }
        return rest.equals(hostHeader.toLowerCase(Locale.ROOT));
    }

    /** What the refusal says, for the 403. */
    public String refusal() {
        return "this server answers only requests addressed to "
                + (loopbackOnly ? "localhost or a loopback address" : "localhost, an IP address")
                + (names.isEmpty()
                        ? ""
                        : " or " + String.join(", ", names.stream().sorted().toList()))
                + " (HEALTH_ALLOWED_HOSTS names more)";
    }

    /** Whether {@code host} is an IP address literal (IPv6 with or without brackets). */
    public static boolean isIpLiteral(String host) {
        return host != null && literal(host.toLowerCase(Locale.ROOT)) != null;
    }

    /** The address an IP literal names, or {@code null} for anything else (never a DNS look-up). */
    static InetAddress literal(String host) {
        String h = host;
        boolean bracketed = h.startsWith("[") && h.endsWith("]");
        if (bracketed) {
            h = h.substring(1, h.length() - 1);
        }
        boolean v4 = !bracketed && IPV4.matcher(h).matches();
        boolean v6 = h.contains(":") && IPV6.matcher(h).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            // why: a literal that passed the patterns above is parsed, never looked up
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
