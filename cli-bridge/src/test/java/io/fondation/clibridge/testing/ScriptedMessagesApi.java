package io.fondation.clibridge.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1, driven by a {@link Scenario}, for running the
 * real Claude Code CLI against it ({@code ANTHROPIC_BASE_URL=}{@link #baseUrl()}). It implements
 * {@code POST /v1/messages} as the CLI uses it: server-sent events ({@code message_start},
 * {@code content_block_start}, {@code content_block_delta} with {@code text_delta} or
 * {@code input_json_delta}, {@code content_block_stop}, {@code message_delta} with the stop reason and
 * usage, {@code message_stop}) when the request says {@code "stream": true}, one JSON message
 * otherwise; API errors; broken streams; requests never answered. Every request is recorded, so tests
 * can check what the CLI sent (and what it did not). Anything else gets a 404.
 */
public final class ScriptedMessagesApi implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final Scenario scenario;
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger messageRequests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private ScriptedMessagesApi(Scenario scenario) throws IOException {
        this.scenario = scenario;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "scripted-messages-api");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free loopback port. */
    public static ScriptedMessagesApi start(Scenario scenario) {
        try {
            return new ScriptedMessagesApi(scenario);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A base URL on which nothing listens (a loopback port that was free a moment ago): a connection
     * there is refused.
     */
    public static String unreachableBaseUrl() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, for {@code ANTHROPIC_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request received so far, in order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The Messages API requests received so far, in order. */
    public List<RecordedRequest> messageRequests() {
        return requests.stream().filter(RecordedRequest::isMessages).toList();
    }

    /** Stops the server; requests left hanging end without an answer. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            RecordedRequest request = new RecordedRequest(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders(),
                    body);
            requests.add(request);
            if (!request.isMessages()) {
                sendJson(exchange, 404, error("not_found_error", "the scripted API only knows POST /v1/messages"));
                return;
            }
            send(exchange, request, scenario.reply(request, messageRequests.getAndIncrement()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(HttpExchange exchange, RecordedRequest request, Reply reply)
            throws IOException, InterruptedException {
        if (reply instanceof Reply.Message message) {
            if (request.streaming()) {
                stream(exchange, request, message);
            } else {
                sendJson(exchange, 200, RecordedRequest.write(json(request, message)));
            }
        } else if (reply instanceof Reply.Error failure) {
            failure.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            sendJson(exchange, failure.status(), error(failure.type(), failure.message()));
        } else if (reply instanceof Reply.Broken) {
            broken(exchange, request);
        } else if (reply instanceof Reply.Hang) {
            closed.await();
        } else if (reply instanceof Reply.After after) {
            while (!after.gate().await(50, TimeUnit.MILLISECONDS)) {
                if (closed.getCount() == 0) {
                    return;
                }
            }
            send(exchange, request, after.then());
        }
    }

    private void stream(HttpExchange exchange, RecordedRequest request, Reply.Message message) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        Map<String, Object> start = messageHead(request, message);
        start.put("content", List.of());
        start.put("stop_reason", null);
        start.put("usage", Map.of("input_tokens", message.inputTokens(), "output_tokens", 1));
        event(out, "message_start", Map.of("type", "message_start", "message", start));
        List<Map<String, Object>> blocks = blocks(request, message);
        for (int i = 0; i < blocks.size(); i++) {
            Map<String, Object> block = blocks.get(i);
            boolean text = block.get("type").equals("text");
            Map<String, Object> empty = new LinkedHashMap<>(block);
            Map<String, Object> delta;
            if (text) {
                empty.put("text", "");
                delta = Map.of("type", "text_delta", "text", block.get("text"));
            } else {
                empty.put("input", Map.of());
                delta = Map.of("type", "input_json_delta", "partial_json", RecordedRequest.write(block.get("input")));
            }
            event(
                    out,
                    "content_block_start",
                    Map.of("type", "content_block_start", "index", i, "content_block", empty));
            event(out, "content_block_delta", Map.of("type", "content_block_delta", "index", i, "delta", delta));
            event(out, "content_block_stop", Map.of("type", "content_block_stop", "index", i));
        }
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("stop_reason", message.stopReason());
        stop.put("stop_sequence", null);
        event(
                out,
                "message_delta",
                Map.of(
                        "type",
                        "message_delta",
                        "delta",
                        stop,
                        "usage",
                        Map.of("output_tokens", message.outputTokens())));
        event(out, "message_stop", Map.of("type", "message_stop"));
    }

    private void broken(HttpExchange exchange, RecordedRequest request) throws IOException {
        if (!request.streaming()) {
            String cut = "{\"id\":\"msg_broken\",\"type\":\"mess";
            sendJson(exchange, 200, cut);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        Map<String, Object> start = messageHead(request, Turn.text("never finished"));
        start.put("content", List.of());
        start.put("stop_reason", null);
        start.put("usage", Map.of("input_tokens", 1, "output_tokens", 1));
        event(exchange.getResponseBody(), "message_start", Map.of("type", "message_start", "message", start));
        // Closing now ends the stream before content_block_start and message_stop.
    }

    private Map<String, Object> json(RecordedRequest request, Reply.Message message) {
        Map<String, Object> body = messageHead(request, message);
        body.put("content", blocks(request, message));
        body.put("stop_reason", message.stopReason());
        body.put("stop_sequence", null);
        body.put("usage", Map.of("input_tokens", message.inputTokens(), "output_tokens", message.outputTokens()));
        return body;
    }

    private Map<String, Object> messageHead(RecordedRequest request, Reply.Message message) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("id", "msg_scripted_" + requests.size());
        head.put("type", "message");
        head.put("role", "assistant");
        head.put("model", request.model());
        return head;
    }

    private static List<Map<String, Object>> blocks(RecordedRequest request, Reply.Message message) {
        List<Map<String, Object>> blocks = new ArrayList<>();
        for (String text : message.text()) {
            Map<String, Object> block = new LinkedHashMap<>();
            block.put("type", "text");
            block.put("text", text);
            blocks.add(block);
        }
        int i = 0;
        for (ToolCall call : message.toolCalls()) {
            Map<String, Object> block = new LinkedHashMap<>();
            block.put("type", "tool_use");
            block.put("id", "toolu_scripted_" + request.turn() + "_" + i++);
            block.put("name", call.name());
            block.put("input", call.input());
            blocks.add(block);
        }
        return blocks;
    }

    private static void event(OutputStream out, String name, Object data) throws IOException {
        out.write(("event: " + name + "\ndata: " + RecordedRequest.write(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String error(String type, String message) {
        return RecordedRequest.write(Map.of("type", "error", "error", Map.of("type", type, "message", message)));
    }

    private static void sendJson(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
