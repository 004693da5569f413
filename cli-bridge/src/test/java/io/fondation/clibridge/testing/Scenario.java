package io.fondation.clibridge.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the scripted model does: the reply to each Messages API request. Requests are numbered
 * from 0 in the order they arrive; the {@link RecordedRequest#turn() turn} says how far the
 * conversation is (a retried request asks for the same turn again).
 */
@FunctionalInterface
public interface Scenario {

    /**
     * @param request the request, as recorded
     * @param number its number among all Messages API requests, from 0
     */
    Reply reply(RecordedRequest request, int number);

    /**
     * A conversation: turn {@code i} gets {@code turns[i]}; any turn past the last gets the text
     * {@code DONE}.
     */
    static Scenario conversation(Reply... turns) {
        List<Reply> script = List.of(turns);
        return (request, number) -> {
            int turn = request.turn();
            return turn < script.size() ? script.get(turn) : Turn.text("DONE");
        };
    }

    /** The same API error to every request, e.g. {@code status(401, "authentication_error", "invalid x-api-key")}. */
    static Scenario status(int status, String type, String message) {
        return (request, number) -> new Reply.Error(status, type, message);
    }

    /**
     * The same API error to every request, with response headers, e.g. {@code status(429, "rate_limit_error",
     * "rate limited", Map.of("retry-after", "3"))}.
     */
    static Scenario status(int status, String type, String message, Map<String, String> headers) {
        return (request, number) -> new Reply.Error(status, type, message, headers);
    }

    /** Every stream breaks after its first event, and every JSON answer is cut. */
    static Scenario brokenStream() {
        return (request, number) -> new Reply.Broken();
    }

    /** No request is ever answered (until the server closes). */
    static Scenario hang() {
        return (request, number) -> new Reply.Hang();
    }

    /** The first request waits until {@code gate} opens, then everything goes as {@code then} says. */
    static Scenario gated(CountDownLatch gate, Scenario then) {
        return (request, number) ->
                number == 0 ? new Reply.After(gate, then.reply(request, number)) : then.reply(request, number);
    }

    /** The first {@code count} requests get this error, the later ones what {@code then} says. */
    static Scenario failingFirst(int count, int status, String type, Scenario then) {
        return (request, number) -> number < count
                ? new Reply.Error(status, type, "scripted failure " + (number + 1))
                : then.reply(request, number);
    }
}
