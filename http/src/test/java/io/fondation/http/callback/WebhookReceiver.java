package io.fondation.http.callback;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback for the callback tests: records every request (its token header and JSON body),
 * and answers 200, or 500 for the next {@link #failNext(int)} requests.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    public record Received(String method, String path, String token, String contentType, JsonNode body, int answered) {
        public String type() {
            return body.path("type").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    /** Starts a receiver on 127.0.0.1 at a free port. */
    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/", receiver::handle);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL callbacks should go to. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhook/jobs";
    }

    /** The next {@code count} requests are answered 500 (and still recorded). */
    public WebhookReceiver failNext(int count) {
        failures.set(count);
        return this;
    }

    /** Everything received so far, in order. */
    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests answered 2xx, in order: what the receiver accepted. */
    public synchronized List<Received> accepted() {
        return received.stream().filter(r -> r.answered() == 200).toList();
    }

    /** Waits until a request of this {@code type} was accepted. */
    public Received awaitAccepted(String type, Duration max) {
        await().atMost(max)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> accepted().stream().anyMatch(r -> r.type().equals(type)));
        return accepted().stream()
                .filter(r -> r.type().equals(type))
                .findFirst()
                .orElseThrow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            body = JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
        }
        int status = failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
        synchronized (this) {
            received.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("X-Job-Token"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body,
                    status));
        }
        byte[] answer = (status == 200 ? "{\"ok\":true}" : "{\"error\":\"receiver failing on purpose\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
