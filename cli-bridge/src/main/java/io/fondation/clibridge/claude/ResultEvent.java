package io.fondation.clibridge.claude;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns Claude Code's final {@code result} event into a {@link ClaudeRunSummary}. */
final class ResultEvent {

    private ResultEvent() {}

    /**
     * @param node the parsed event
     * @param sessionId the init event's session id, used when the result names none
     * @param model the init event's model
     * @param apiErrorKind the error named by the last API-error message, if any
     * @param permissionDeniedEvents the {@code permission_denied} events seen, used when the result lists none
     */
    static ClaudeRunSummary read(
            JsonNode node, String sessionId, String model, String apiErrorKind, int permissionDeniedEvents) {
        JsonNode usage = node.path("usage");
        String session = StreamJsonParser.textOrNull(node, "session_id");
        JsonNode denials = node.get("permission_denials");
        return new ClaudeRunSummary(
                session != null ? session : sessionId,
                model,
                integer(node, "num_turns"),
                longValue(node, "duration_ms"),
                longValue(node, "duration_api_ms"),
                new ClaudeUsage(
                        node.hasNonNull("total_cost_usd")
                                ? node.get("total_cost_usd").asDouble()
                                : null,
                        longValue(usage, "input_tokens"),
                        longValue(usage, "output_tokens"),
                        longValue(usage, "cache_read_input_tokens"),
                        longValue(usage, "cache_creation_input_tokens")),
                node.path("is_error").asBoolean(false),
                StreamJsonParser.textOrNull(node, "subtype"),
                resultText(node),
                integer(node, "api_error_status"),
                apiErrorKind,
                StreamJsonParser.textOrNull(node, "terminal_reason"),
                denials != null && denials.isArray() ? denials.size() : permissionDeniedEvents);
    }

    /** The result text; on max-turns and budget errors the CLI leaves it null and lists {@code errors}. */
    private static String resultText(JsonNode node) {
        String result = StreamJsonParser.textOrNull(node, "result");
        if (result != null) {
            return result;
        }
        JsonNode errors = node.get("errors");
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode error : errors) {
            text.append(text.length() == 0 ? "" : "\n").append(error.asText());
        }
        return text.toString();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.canConvertToInt() && value.isNumber() ? value.asInt() : null;
    }

    private static Long longValue(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber() ? value.asLong() : null;
    }
}
