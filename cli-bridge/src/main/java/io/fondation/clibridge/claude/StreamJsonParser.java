package io.fondation.clibridge.claude;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.shared.Progress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the NDJSON that {@code claude -p ... --output-format stream-json --verbose} prints:
 * {@code system/init}, {@code system/api_retry}, {@code assistant}, {@code user} and the final
 * {@code result}. Non-JSON lines and unknown events are ignored. Thread-safe.
 */
public final class StreamJsonParser {

    /** Tool-use progress is reported as step 0 of this many (Claude runs have no fixed steps). */
    private static final int TOOL_PROGRESS_TOTAL = 1;

    private static final int MAX_DETAIL_CHARS = 120;
    private static final int RECENT_TOOLS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FIELD_STRING =
            Pattern.compile("\"(subtype|session_id|terminal_reason)\"\\s*:\\s*\"([^\"]{0,200})\"");
    private static final Pattern FIELD_BOOL = Pattern.compile("\"is_error\"\\s*:\\s*(true|false)");

    private String sessionId;
    private String model;
    private int toolUses;
    private int assistantMessages;
    /** The most recent tool uses, so callers can report every one of a multi-tool message. */
    private final ArrayDeque<Progress> recentTools = new ArrayDeque<>();

    private ClaudeRunSummary summary;
    private Integer lastRetryStatus;
    private String lastRetryError;
    private boolean sawEvent;

    /** Feeds one stdout line. */
    public void accept(String line) {
        if (line == null) {
            return;
        }
        String text = line.trim();
        if (!text.startsWith("{\"type\"") && !(text.startsWith("{") && text.contains("\"type\""))) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (java.io.IOException | RuntimeException e) {
            acceptCutResult(text);
            return;
        }
        if (node == null || !node.isObject()) {
            return;
        }
        synchronized (this) {
            handle(node);
        }
    }

    private void handle(JsonNode node) {
        String type = node.path("type").asText("");
        String subtype = node.path("subtype").asText("");
        switch (type) {
            case "system":
                sawEvent = true;
                if (subtype.equals("init")) {
                    sessionId = textOrNull(node, "session_id");
                    model = textOrNull(node, "model");
                } else if (subtype.equals("api_retry")) {
                    JsonNode status = node.get("error_status");
                    lastRetryStatus = status != null && status.isInt() ? status.asInt() : lastRetryStatus;
                    lastRetryError = textOrNull(node, "error");
                }
                break;
            case "assistant":
                sawEvent = true;
                assistantMessages++;
                for (JsonNode block : node.path("message").path("content")) {
                    if ("tool_use".equals(block.path("type").asText())) {
                        toolUses++;
                        recentTools.addLast(new Progress(0, TOOL_PROGRESS_TOTAL, describeTool(block)));
                        if (recentTools.size() > RECENT_TOOLS) {
                            recentTools.removeFirst();
                        }
                    }
                }
                break;
            case "user":
                sawEvent = true;
                break;
            case "result":
                sawEvent = true;
                summary = fromResult(node);
                break;
            default:
                break;
        }
    }

    private ClaudeRunSummary fromResult(JsonNode node) {
        JsonNode usage = node.path("usage");
        String session = textOrNull(node, "session_id");
        return new ClaudeRunSummary(
                session != null ? session : sessionId,
                node.hasNonNull("num_turns") ? node.get("num_turns").asInt() : null,
                node.hasNonNull("total_cost_usd") ? node.get("total_cost_usd").asDouble() : null,
                usage.hasNonNull("input_tokens") ? usage.get("input_tokens").asLong() : null,
                usage.hasNonNull("output_tokens") ? usage.get("output_tokens").asLong() : null,
                node.path("is_error").asBoolean(false),
                textOrNull(node, "subtype"),
                textOrNull(node, "result"),
                node.hasNonNull("api_error_status")
                                && node.get("api_error_status").canConvertToInt()
                        ? node.get("api_error_status").asInt()
                        : null,
                textOrNull(node, "terminal_reason"));
    }

    /** A result line cut by the line limit: keep what can still be read. */
    private void acceptCutResult(String text) {
        if (!text.startsWith("{\"type\":\"result\"")) {
            return;
        }
        String subtype = null;
        String session = null;
        String reason = null;
        Matcher m = FIELD_STRING.matcher(text);
        while (m.find()) {
            switch (m.group(1)) {
                case "subtype":
                    subtype = m.group(2);
                    break;
                case "session_id":
                    session = m.group(2);
                    break;
                default:
                    reason = m.group(2);
                    break;
            }
        }
        Matcher b = FIELD_BOOL.matcher(text);
        boolean isError = b.find() && b.group(1).equals("true");
        synchronized (this) {
            sawEvent = true;
            summary = new ClaudeRunSummary(
                    session != null ? session : sessionId,
                    null,
                    null,
                    null,
                    null,
                    isError,
                    subtype,
                    null,
                    null,
                    reason);
        }
    }

    private static String describeTool(JsonNode block) {
        String name = block.path("name").asText("tool");
        JsonNode input = block.path("input");
        String detail = null;
        for (String field : new String[] {"file_path", "path", "pattern", "command", "url", "description"}) {
            if (input.hasNonNull(field) && input.get(field).isTextual()) {
                detail = input.get(field).asText();
                break;
            }
        }
        if (detail == null || detail.isBlank()) {
            return name;
        }
        // why: a Bash command line may carry a credential; progress text is stored on the job row.
        detail = SecretRedactor.redact(detail.replaceAll("\\s+", " ").trim());
        if (detail.length() > MAX_DETAIL_CHARS) {
            detail = detail.substring(0, MAX_DETAIL_CHARS - 1) + "…";
        }
        return name + ": " + detail;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull() ? value.asText() : null;
    }

    /** The last tool use, as progress text such as {@code Write: docs/intro.md}. */
    public synchronized Optional<Progress> lastToolProgress() {
        return Optional.ofNullable(recentTools.peekLast());
    }

    /**
     * The progress of the tool uses after the first {@code seen} ones (as counted by
     * {@link #toolUses()}), oldest first; only the most recent 64 are remembered.
     */
    public synchronized List<Progress> toolProgressAfter(int seen) {
        int newer = Math.min(toolUses - seen, recentTools.size());
        if (newer <= 0) {
            return List.of();
        }
        List<Progress> all = new ArrayList<>(recentTools);
        return List.copyOf(all.subList(all.size() - newer, all.size()));
    }

    /** The final result, once the {@code result} event was seen. */
    public synchronized Optional<ClaudeRunSummary> summary() {
        return Optional.ofNullable(summary);
    }

    /** The session id from {@code system/init} (or the result). */
    public synchronized Optional<String> sessionId() {
        return Optional.ofNullable(summary != null && summary.sessionId() != null ? summary.sessionId() : sessionId);
    }

    /** The model named in {@code system/init}. */
    public synchronized Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** How many tool uses the assistant made. */
    public synchronized int toolUses() {
        return toolUses;
    }

    /** How many assistant messages were seen. */
    public synchronized int assistantMessages() {
        return assistantMessages;
    }

    /** The HTTP status of the last {@code api_retry} event, if any. */
    public synchronized Optional<Integer> lastRetryStatus() {
        return Optional.ofNullable(lastRetryStatus);
    }

    /** The error name of the last {@code api_retry} event ({@code rate_limit}, {@code authentication_failed} ...). */
    public synchronized Optional<String> lastRetryError() {
        return Optional.ofNullable(lastRetryError);
    }

    /** Whether any stream-json event was seen (the output is Claude Code's). */
    public synchronized boolean sawEvents() {
        return sawEvent;
    }
}
