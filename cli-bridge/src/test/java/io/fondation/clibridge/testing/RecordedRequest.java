package io.fondation.clibridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request the {@link ScriptedMessagesApi} received, as sent.
 *
 * @param method the HTTP method
 * @param target the path and query, e.g. {@code /v1/messages?beta=true}
 * @param headers the headers, names in lower case
 * @param body the body, as text
 */
public record RecordedRequest(String method, String target, Map<String, List<String>> headers, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RecordedRequest {
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        headers = Map.copyOf(lower);
    }

    /** The first value of a header, if sent. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as JSON (a missing node when it is not JSON). */
    public JsonNode json() {
        try {
            JsonNode node = body.isBlank() ? null : JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /** Whether this is a Messages API call ({@code POST /v1/messages}, any query). */
    public boolean isMessages() {
        return method.equals("POST") && (target.equals("/v1/messages") || target.startsWith("/v1/messages?"));
    }

    /** Whether the client asked for a server-sent event stream. */
    public boolean streaming() {
        return json().path("stream").asBoolean(false);
    }

    /**
     * Which turn of the conversation this request asks for: how many assistant messages it already
     * holds (0 for the first). A retried request asks for the same turn again.
     */
    public int turn() {
        int turn = 0;
        for (JsonNode message : json().path("messages")) {
            if ("assistant".equals(message.path("role").asText())) {
                turn++;
            }
        }
        return turn;
    }

    /**
     * The text of every {@code tool_result} block of the conversation, in order (the CLI may send
     * the results of one turn as several messages).
     */
    public List<String> toolResults() {
        List<String> results = new ArrayList<>();
        for (JsonNode message : json().path("messages")) {
            for (JsonNode block : message.path("content")) {
                if ("tool_result".equals(block.path("type").asText())) {
                    JsonNode content = block.path("content");
                    results.add(content.isTextual() ? content.asText() : content.toString());
                }
            }
        }
        return results;
    }

    /** The model the client asked for. */
    public String model() {
        return json().path("model").asText("");
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
