package io.fondation.clibridge.claude;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.failure.ApiRetryNotice;
import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.shared.Progress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the NDJSON that {@code claude -p ... --output-format stream-json --verbose} prints:
 * {@code system/init}, {@code system/api_retry}, {@code system/permission_denied}, {@code assistant},
 * {@code user} and the final {@code result}. Non-JSON lines and unknown events are ignored; a line
 * cut by the line limit still yields what can be read of it. Thread-safe.
 *
 * <p>Given the directory the agent may write to, it also audits writes: every write tool call whose
 * path is elsewhere, and every tool call that failed on a read-only file system, is an attempt to
 * write outside ({@link #writesOutside()}).
 */
public final class StreamJsonParser {

    /** Tool-use progress is reported as step 0 of this many (Claude runs have no fixed steps). */
    private static final int TOOL_PROGRESS_TOTAL = 1;

    private static final int MAX_DETAIL_CHARS = 120;
    private static final int RECENT_TOOLS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private String sessionId;
    private String model;
    private String cwd;
    private int toolUses;
    private int assistantMessages;
    private int permissionDenied;
    /** The most recent tool uses, so callers can report every one of a multi-tool message. */
    private final ArrayDeque<Progress> recentTools = new ArrayDeque<>();

    private final WriteAudit audit;
    private ClaudeRunSummary summary;
    private Integer lastRetryStatus;
    private String lastRetryError;
    private ApiRetryNotice lastLimitRetry;
    private String lastApiErrorKind;
    private boolean sawEvent;

    /** A parser that does not audit writes. */
    public StreamJsonParser() {
        this(null);
    }

    /** @param writableDirectory the only directory the agent may write to; null to audit nothing */
    public StreamJsonParser(Path writableDirectory) {
        this.audit = new WriteAudit(writableDirectory);
    }

    /** Feeds one stdout line. */
    public void accept(String line) {
        if (line == null) {
            return;
        }
        String text = line.trim();
        // why: newer CLIs put a result's "type" at its end, so a cut result line may not have one.
        if (!text.startsWith("{") || !text.contains("\"type\"") && !text.contains("\"terminal_reason\"")) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (java.io.IOException | RuntimeException e) {
            synchronized (this) {
                salvage(text);
            }
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
        switch (type) {
            case "system":
                sawEvent = true;
                system(node);
                break;
            case "assistant":
                sawEvent = true;
                assistant(node);
                break;
            case "user":
                sawEvent = true;
                for (JsonNode block : node.path("message").path("content")) {
                    if ("tool_result".equals(block.path("type").asText())
                            && block.path("is_error").asBoolean()) {
                        audit.toolFailed(text(block.path("content")));
                    }
                }
                break;
            case "result":
                sawEvent = true;
                summary = ResultEvent.read(node, sessionId, model, lastApiErrorKind, permissionDenied);
                break;
            default:
                break;
        }
    }

    private void system(JsonNode node) {
        switch (node.path("subtype").asText("")) {
            case "init":
                sessionId = textOrNull(node, "session_id");
                model = textOrNull(node, "model");
                cwd = textOrNull(node, "cwd");
                break;
            case "api_retry":
                JsonNode status = node.get("error_status");
                lastRetryStatus = status != null && status.isInt() ? status.asInt() : lastRetryStatus;
                lastRetryError = textOrNull(node, "error");
                JsonNode delay = node.get("retry_delay_ms");
                ApiRetryNotice notice = new ApiRetryNotice(
                        node.path("attempt").asInt(1),
                        delay != null && delay.isNumber() ? delay.asLong() : null,
                        status != null && status.isInt() ? status.asInt() : null,
                        lastRetryError);
                if (notice.rateLimited() || notice.overloaded()) {
                    lastLimitRetry = notice;
                }
                break;
            case "permission_denied":
                permissionDenied++;
                break;
            default:
                break;
        }
    }

    private void assistant(JsonNode node) {
        assistantMessages++;
        if (node.path("is_api_error_message").asBoolean(false) || node.hasNonNull("error")) {
            lastApiErrorKind = textOrNull(node, "error");
        }
        for (JsonNode block : node.path("message").path("content")) {
            if ("tool_use".equals(block.path("type").asText())) {
                String name = block.path("name").asText("tool");
                JsonNode input = block.path("input");
                toolUse(describeTool(name, input));
                String pathField = WriteAudit.WRITE_TOOLS.get(name);
                if (pathField != null) {
                    audit.write(name, textOrNull(input, pathField), cwd);
                }
            }
        }
    }

    private void toolUse(String description) {
        toolUses++;
        recentTools.addLast(new Progress(0, TOOL_PROGRESS_TOTAL, description));
        if (recentTools.size() > RECENT_TOOLS) {
            recentTools.removeFirst();
        }
    }

    /** A line cut by the line limit (or otherwise broken): keep what can still be read of it. */
    private void salvage(String text) {
        CutLine cut = new CutLine(text);
        if (cut.isResult()) {
            sawEvent = true;
            summary = cut.result(sessionId, model, lastApiErrorKind, permissionDenied);
        } else if (cut.isAssistant()) {
            sawEvent = true;
            // why: a Write of a long chapter makes a line longer than the limit; its path comes first.
            for (CutLine.ToolCall call : cut.writeCalls()) {
                toolUse(call.tool() + ": " + shorten(call.path()));
                audit.write(call.tool(), call.path(), cwd);
            }
        }
    }

    private static String describeTool(String name, JsonNode input) {
        String detail = null;
        for (String field :
                new String[] {"file_path", "notebook_path", "path", "pattern", "command", "url", "description"}) {
            if (input.hasNonNull(field) && input.get(field).isTextual()) {
                detail = input.get(field).asText();
                break;
            }
        }
        if (detail == null || detail.isBlank()) {
            return name;
        }
        return name + ": " + shorten(detail);
    }

    private static String shorten(String detail) {
        // why: a Bash command line may carry a credential; progress text is stored on the job row.
        String clean = SecretRedactor.redact(detail.replaceAll("\\s+", " ").trim());
        if (clean.length() > MAX_DETAIL_CHARS) {
            clean = clean.substring(0, MAX_DETAIL_CHARS - 1) + "…";
        }
        return clean;
    }

    /** The text of a tool result's content: a string, or a list of text blocks. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode block : content) {
            if (block.hasNonNull("text")) {
                out.append(block.get("text").asText()).append('\n');
            }
        }
        return out.toString();
    }

    static String textOrNull(JsonNode node, String field) {
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

    /**
     * The last {@code api_retry} event for a rate limit (429) or an overload (529): its {@code retry_delay_ms} follows
     * the API's retry-after when the API sent one.
     */
    public synchronized Optional<ApiRetryNotice> lastLimitRetry() {
        return Optional.ofNullable(lastLimitRetry);
    }

    /**
     * The attempts to write outside the writable directory, oldest first (at most 10 described),
     * e.g. {@code Write /srv/elsewhere.md}; empty when none was made or the parser audits nothing.
     */
    public synchronized List<String> writesOutside() {
        return audit.attempts();
    }

    /** How many attempts to write outside the writable directory were made. */
    public synchronized int writesOutsideCount() {
        return audit.count();
    }

    /** Whether any stream-json event was seen (the output is Claude Code's). */
    public synchronized boolean sawEvents() {
        return sawEvent;
    }
}
