package io.fondation.convexqueue.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on loopback in front of a {@link LocalConvexServer} that makes chosen Convex functions fail, for the
 * write that a worker must survive losing: a call to a function named with {@link #fail} is answered {@code 503}
 * (a transient failure the client does not retry for a mutation) either before it reaches the server (the worker
 * died before the write) or after it ran there (the answer was lost). Everything else is forwarded as is. It speaks
 * plain HTTP only: a WebSocket upgrade is forwarded as a plain request and fails, so a client behind it has no sync
 * socket, as on a deployment reached without WebSocket.
 */
public final class FunctionFaultProxy implements AutoCloseable {

    /** When a failing call fails. */
    public enum When {
        /** Answered 503 without reaching the server: the write never happened. */
        BEFORE,
        /** Forwarded, then answered 503: the write happened, its answer was lost. */
        AFTER
    }

    private record Fault(When when, int skip, int times) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Authorization", "Convex-Client");

    private final URI target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "function-fault-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failed = new ConcurrentHashMap<>();

    private FunctionFaultProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A proxy to {@code targetUrl} (the test server's URL). */
    public static FunctionFaultProxy to(String targetUrl) {
        try {
            return new FunctionFaultProxy(targetUrl);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the proxy", e);
        }
    }

    /**
     * Makes calls to {@code path} (e.g. {@code queue:complete}) fail: the first {@code skip} go through, the next
     * {@code times} fail {@code when}, the rest go through again.
     */
    public FunctionFaultProxy fail(String path, When when, int skip, int times) {
        faults.put(path, new Fault(when, skip, times));
        seen.remove(path);
        return this;
    }

    /** Makes every call to {@code path} fail {@code when}. */
    public FunctionFaultProxy failAlways(String path, When when) {
        return fail(path, when, 0, Integer.MAX_VALUE);
    }

    /** Lets every call through again. */
    public void heal() {
        faults.clear();
    }

    /** How many calls to {@code path} were made to fail. */
    public int failures(String path) {
        AtomicInteger count = failed.get(path);
        return count == null ? 0 : count.get();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = functionPath(exchange, body);
            Fault fault = path == null ? null : faults.get(path);
            boolean fails = false;
            if (fault != null) {
                int index = seen.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
                fails = index >= fault.skip() && index - fault.skip() < fault.times();
            }
            if (fails && fault.when() == When.BEFORE) {
                failed.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                send(exchange, 503, "{\"code\":\"ProxyFault\",\"message\":\"made to fail by the test\"}");
                return;
            }
            HttpResponse<byte[]> response = forward(exchange, body);
            if (fails) {
                failed.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                send(exchange, 503, "{\"code\":\"ProxyFault\",\"message\":\"answer lost by the test\"}");
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            send(exchange, response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : FORWARDED_HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The {@code path} of a function call ({@code /api/mutation} etc.), or {@code module:function} of /api/run. */
    private static String functionPath(HttpExchange exchange, byte[] body) {
        String uri = exchange.getRequestURI().getPath();
        if (uri.startsWith("/api/run/")) {
            String rest = uri.substring("/api/run/".length());
            int slash = rest.lastIndexOf('/');
            return slash < 0 ? null : rest.substring(0, slash) + ":" + rest.substring(slash + 1);
        }
        if (!uri.startsWith("/api/") || body.length == 0) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode path = json == null ? null : json.get("path");
            return path == null ? null : path.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
