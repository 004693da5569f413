package io.fondation.http.callback;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Posts a callback over HTTP/1.1 to the address {@link CallbackAddressPolicy} checked: the host is resolved once,
 * per post, and the connection goes to that very address (the JDK's HTTP client would resolve the name again on its
 * own, which a rebinding name could answer differently). TLS verifies the certificate against the URL's host name,
 * which it also sends as SNI. One request per connection ({@code Connection: close}); redirects are answers like any
 * other, never followed; only the status and the start of the body are read.
 */
final class PinnedHttpSender implements CallbackClient.Sender {

    /** The most of an answer's body read: enough for the snippet a refusal shows. */
    static final int MAX_BODY = 4096;

    private static final int MAX_LINE = 8192;

    private final CallbackAddressPolicy policy;
    private final Duration timeout;
    private final SSLSocketFactory tls;

    PinnedHttpSender(CallbackAddressPolicy policy, Duration timeout) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        try {
            this.tls = SSLContext.getDefault().getSocketFactory();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }

    @Override
    public CallbackClient.Answer post(URI url, Map<String, String> headers, byte[] body) throws IOException {
        InetAddress address;
        try {
            address = policy.check(url);
        } catch (CallbackAddressPolicy.Refused e) {
            throw new CallbackClient.RefusedTarget(e.getMessage());
        }
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        String host = CallbackAddressPolicy.bare(url.getHost());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            plain.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            Socket socket = plain;
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.contains(":") && !host.matches("[0-9.]+")) {
                    parameters.setServerNames(List.of(new SNIHostName(host)));
                }
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
                socket = ssl;
            }
            write(socket.getOutputStream(), url, headers, body);
            return read(new BufferedInputStream(socket.getInputStream()), deadline);
        }
    }

    private static void write(OutputStream raw, URI url, Map<String, String> headers, byte[] body) throws IOException {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String target = path + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String hostHeader = url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
        StringBuilder head = new StringBuilder()
                .append("POST ")
                .append(target)
                .append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader)
                .append("\r\n");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            // why: a value with a line break would add headers of its own choosing (the token comes from a caller)
            if (header.getValue().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new CallbackClient.RefusedTarget("the " + header.getKey() + " header has control characters");
            }
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        OutputStream out = new BufferedOutputStream(raw);
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static CallbackClient.Answer read(InputStream in, long deadline) throws IOException {
        int status;
        Map<String, String> fields;
        do {
            String statusLine = line(in, deadline);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x answer: " + statusLine);
            }
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status: " + statusLine);
            }
            fields = new java.util.HashMap<>();
            for (String field = line(in, deadline); !field.isEmpty(); field = line(in, deadline)) {
                int colon = field.indexOf(':');
                if (colon > 0) {
                    fields.put(
                            field.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            field.substring(colon + 1).strip());
                }
            }
        } while (status >= 100 && status < 200);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(fields.getOrDefault("transfer-encoding", ""))) {
            while (body.size() < MAX_BODY) {
                String size = line(in, deadline);
                int semicolon = size.indexOf(';');
                int length;
                try {
                    length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                } catch (NumberFormatException e) {
                    break;
                }
                if (length == 0) {
                    break;
                }
                copy(in, body, Math.min(length, MAX_BODY - body.size()), deadline);
                if (body.size() >= MAX_BODY) {
                    break;
                }
                line(in, deadline);
            }
        } else {
            long declared = -1;
            try {
                declared = Long.parseLong(fields.getOrDefault("content-length", "-1"));
            } catch (NumberFormatException e) {
                declared = -1;
            }
            copy(in, body, declared < 0 ? MAX_BODY : (int) Math.min(declared, MAX_BODY), deadline);
        }
        return new CallbackClient.Answer(status, body.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, int max, long deadline) throws IOException {
        byte[] buffer = new byte[1024];
        int left = max;
        while (left > 0) {
            checkDeadline(deadline);
            int read = in.read(buffer, 0, Math.min(buffer.length, left));
            if (read < 0) {
                return;
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }

    private static String line(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            checkDeadline(deadline);
            int c = in.read();
            if (c < 0) {
                if (line.size() == 0) {
                    throw new IOException("the receiver closed the connection without an answer");
                }
                break;
            }
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
            if (line.size() > MAX_LINE) {
                throw new IOException("an answer line longer than " + MAX_LINE + " bytes");
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void checkDeadline(long deadline) throws SocketTimeoutException {
        if (System.nanoTime() - deadline > 0) {
            throw new SocketTimeoutException("no whole answer within the callback timeout");
        }
    }
}
