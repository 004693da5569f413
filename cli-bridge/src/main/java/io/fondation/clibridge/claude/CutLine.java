package io.fondation.clibridge.claude;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What can still be read of a stream-json line that is not valid JSON, usually because the line
 * limit cut it: the scalar fields of a {@code result} event (they come before its long text), and
 * the paths of the write calls of an {@code assistant} event (they come before the file content).
 */
final class CutLine {

    /** A write tool call found in a cut line. */
    record ToolCall(String tool, String path) {}

    private static final Pattern STRING_FIELD =
            Pattern.compile("\"(subtype|session_id|terminal_reason)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){0,200})\"");
    private static final Pattern NUMBER_FIELD =
            Pattern.compile("\"(num_turns|api_error_status|duration_ms|duration_api_ms)\"\\s*:\\s*(\\d{1,12})\\b");
    private static final Pattern COST = Pattern.compile("\"total_cost_usd\"\\s*:\\s*([0-9.eE+\\-]{1,30})");
    private static final Pattern IS_ERROR = Pattern.compile("\"is_error\"\\s*:\\s*(true|false)");
    private static final Pattern WRITE_CALL =
            Pattern.compile("\"name\"\\s*:\\s*\"(Write|Edit|MultiEdit|NotebookEdit)\"\\s*,\\s*\"input\"\\s*:\\s*\\{\\s*"
                    + "\"(?:file_path|notebook_path)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,4096})\"");

    private final String text;

    CutLine(String text) {
        this.text = text;
    }

    /** Whether this is (the start of) a result event; in newer CLIs {@code type} comes late in it. */
    boolean isResult() {
        return text.contains("\"type\":\"result\"")
                || (text.contains("\"permission_denials\"") && text.contains("\"terminal_reason\""));
    }

    boolean isAssistant() {
        return text.startsWith("{\"type\":\"assistant\"");
    }

    ClaudeRunSummary result(String initSessionId, String model, String apiErrorKind, int permissionDenials) {
        String subtype = null;
        String session = null;
        String reason = null;
        Matcher m = STRING_FIELD.matcher(text);
        while (m.find()) {
            switch (m.group(1)) {
                case "subtype":
                    subtype = subtype == null ? m.group(2) : subtype;
                    break;
                case "session_id":
                    session = session == null ? m.group(2) : session;
                    break;
                case "terminal_reason":
                    reason = m.group(2);
                    break;
                default:
                    break;
            }
        }
        Integer turns = null;
        Integer status = null;
        Long duration = null;
        Long apiDuration = null;
        Matcher n = NUMBER_FIELD.matcher(text);
        while (n.find()) {
            long value = Long.parseLong(n.group(2));
            switch (n.group(1)) {
                case "num_turns":
                    turns = (int) Math.min(value, Integer.MAX_VALUE);
                    break;
                case "api_error_status":
                    status = (int) Math.min(value, Integer.MAX_VALUE);
                    break;
                case "duration_ms":
                    duration = value;
                    break;
                default:
                    apiDuration = value;
                    break;
            }
        }
        Matcher c = COST.matcher(text);
        Double cost = null;
        if (c.find()) {
            try {
                cost = Double.valueOf(c.group(1));
            } catch (NumberFormatException e) {
                // left unknown
            }
        }
        Matcher b = IS_ERROR.matcher(text);
        boolean isError = b.find() && b.group(1).equals("true");
        return new ClaudeRunSummary(
                session != null ? session : initSessionId,
                model,
                turns,
                duration,
                apiDuration,
                new ClaudeUsage(cost, null, null, null, null),
                isError,
                subtype,
                null,
                status,
                apiErrorKind,
                reason,
                permissionDenials);
    }

    List<ToolCall> writeCalls() {
        List<ToolCall> calls = new ArrayList<>();
        Matcher m = WRITE_CALL.matcher(text);
        while (m.find()) {
            calls.add(new ToolCall(m.group(1), unescape(m.group(2))));
        }
        return calls;
    }

    private static String unescape(String json) {
        return json.replace("\\\"", "\"").replace("\\/", "/").replace("\\\\", "\\");
    }
}
