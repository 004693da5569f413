package io.fondation.http.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a callback URL given by a caller of the API ({@code POST /execute}) may lead: not to this machine, its
 * network or the cloud's metadata service, which a caller could otherwise make the worker post whole courses to
 * (server-side request forgery). A host that resolves to a loopback, link-local (the metadata address
 * {@code 169.254.169.254} among them), private (RFC 1918, shared CGNAT, IPv6 ULA), unspecified or multicast
 * address is refused, unless {@code CALLBACK_ALLOWED_HOSTS} names it.
 *
 * <p>The check runs twice: when the job is submitted (a 400 names the problem) and at every connection, where the
 * host is resolved once and the connection goes to the address that was checked ({@link PinnedHttpSender}), so a
 * name that answers a public address to the first look-up and a private one to the next (DNS rebinding) reaches
 * nothing.
 *
 * @param allowedHosts {@code CALLBACK_ALLOWED_HOSTS}: host names or IP literals allowed whatever they resolve to
 * @param resolver how names are resolved (tests give a stub: no test opens a socket beyond loopback)
 */
public record CallbackAddressPolicy(Set<String> allowedHosts, Resolver resolver) {

    /** Resolves a host name to its addresses. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;

        /** The system's resolver. */
        Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
    }

    /** A callback URL the policy refuses, saying why (never with the URL's query or a token). */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    public CallbackAddressPolicy {
        allowedHosts = allowedHosts.stream().map(CallbackAddressPolicy::bare).collect(Collectors.toUnmodifiableSet());
        Objects.requireNonNull(resolver, "resolver");
    }

    /** The policy with the system resolver. */
    public static CallbackAddressPolicy of(Set<String> allowedHosts) {
        return new CallbackAddressPolicy(allowedHosts, Resolver.SYSTEM);
    }

    /**
     * Resolves the URL's host once and checks every address it gives.
     *
     * @return the address to connect to: the first one, all of them having passed
     * @throws Refused when the host does not resolve or resolves to an address the policy refuses
     */
    public InetAddress check(URI url) throws Refused {
        String host = bare(url.getHost() == null ? "" : url.getHost());
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Refused("the callback host " + host + " does not resolve");
        }
        if (addresses.isEmpty()) {
            throw new Refused("the callback host " + host + " does not resolve");
        }
        if (!allowedHosts.contains(host)) {
            for (InetAddress address : addresses) {
                String kind = internalKind(address);
                if (kind != null) {
                    throw new Refused("the callback host " + host + " resolves to " + address.getHostAddress()
                            + ", " + kind + " address; callbacks go to public addresses only, unless"
                            + " CALLBACK_ALLOWED_HOSTS names the host");
                }
            }
        }
        return addresses.get(0);
    }

    /** What kind of internal address {@code address} is, or {@code null} for a public one. */
    static String internalKind(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "an unspecified";
        }
        if (address.isLoopbackAddress()) {
            return "a loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local (cloud metadata)";
        }
        if (address.isSiteLocalAddress()) {
            return "a private";
        }
        if (address.isMulticastAddress()) {
            return "a multicast";
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 0) {
                return "an unspecified (0.0.0.0/8)";
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return "a private (shared, 100.64.0.0/10)";
            }
            if (first == 255) {
                return "a broadcast";
            }
        }
        if (address instanceof Inet6Address) {
            if ((bytes[0] & 0xfe) == 0xfc) {
                return "a private (unique local, fc00::/7)";
            }
            if (isEmbeddedV4(bytes)) {
                try {
                    InetAddress v4 = InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16));
                    String kind = internalKind(v4);
                    if (kind != null) {
                        return kind + " (in IPv6)";
                    }
                } catch (UnknownHostException e) {
                    return "an unusable";
                }
            }
        }
        return null;
    }

    /** IPv4-compatible ({@code ::a.b.c.d}) and NAT64 ({@code 64:ff9b::a.b.c.d}) forms of an IPv4 address. */
    private static boolean isEmbeddedV4(byte[] bytes) {
        boolean zeros = true;
        for (int i = 0; i < 12; i++) {
            zeros &= bytes[i] == 0;
        }
        boolean nat64 = (bytes[0] & 0xff) == 0x00
                && (bytes[1] & 0xff) == 0x64
                && (bytes[2] & 0xff) == 0xff
                && (bytes[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = bytes[i] == 0;
        }
        return zeros || nat64;
    }

    /** The host without IPv6 brackets, lower case. */
    static String bare(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
