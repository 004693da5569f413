package io.fondation.clibridge.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** What the {@link ScriptedMessagesApi} answers to one request. */
public sealed interface Reply {

    /**
     * An assistant message, streamed as server-sent events or sent as JSON, as the request asked.
     *
     * @param text the text blocks, before the tool calls
     * @param toolCalls the tool calls; with any, the stop reason is {@code tool_use}
     * @param inputTokens reported as {@code usage.input_tokens}
     * @param outputTokens reported as the final {@code usage.output_tokens}
     */
    record Message(List<String> text, List<ToolCall> toolCalls, long inputTokens, long outputTokens) implements Reply {
        public Message {
            text = List.copyOf(text);
            toolCalls = List.copyOf(toolCalls);
        }

        String stopReason() {
            return toolCalls.isEmpty() ? "end_turn" : "tool_use";
        }
    }

    /**
     * An API error: {@code {"type":"error","error":{"type":..., "message":...}}} with this status.
     *
     * @param status the HTTP status, e.g. 401, 429, 529
     * @param type the error type, e.g. {@code authentication_error}
     * @param message the error message
     * @param headers response headers to send too, e.g. {@code retry-after}
     */
    record Error(int status, String type, String message, Map<String, String> headers) implements Reply {
        public Error {
            headers = Map.copyOf(headers);
        }

        public Error(int status, String type, String message) {
            this(status, type, message, Map.of());
        }
    }

    /** A stream that starts (status 200, {@code message_start}) and ends before the message does. */
    record Broken() implements Reply {}

    /** No answer at all, until the server closes. */
    record Hang() implements Reply {}

    /** {@code then}, once {@code gate} opens (nothing if the server closes first). */
    record After(CountDownLatch gate, Reply then) implements Reply {}
}
