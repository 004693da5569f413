package io.fondation.convexqueue.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A tiny HTTP server on loopback (com.sun.net.httpserver) that records every request and answers
 * with a programmable function: for client tests that need exact control of status codes and
 * bodies (503s, 560s, garbage) or that count requests.
 */
public final class StubHttpServer implements AutoCloseable {

    /** One request as received; {@code clientPort} tells connections apart. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body, int clientPort) {

        /** The first value of a header (case-insensitive name), or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey() != null
                        && entry.getKey().equalsIgnoreCase(name)
                        && !entry.getValue().isEmpty()) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** What to answer. */
    public record Response(int status, String body) {

        public static Response json(int status, String body) {
            return new Response(status, body);
        }

        public static Response success(String valueJson) {
            return new Response(200, "{\"status\":\"success\",\"value\":" + valueJson + ",\"logLines\":[]}");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "stub-http");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Response> handler;

    private StubHttpServer(Function<Request, Response> handler) throws IOException {
        this.handler = handler;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Request request = new Request(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getPath(),
                        Map.copyOf(exchange.getRequestHeaders()),
                        body,
                        exchange.getRemoteAddress().getPort());
                requests.add(request);
                Response response = this.handler.apply(request);
                byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            } catch (RuntimeException e) {
                e.printStackTrace();
                throw e;
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a server answering with {@code handler}. */
    public static StubHttpServer start(Function<Request, Response> handler) {
        try {
            return new StubHttpServer(handler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the stub HTTP server", e);
        }
    }

    /** Replaces the handler. */
    public void answer(Function<Request, Response> newHandler) {
        this.handler = newHandler;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request received so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
