package io.fondation.convexqueue.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The messages of Convex's WebSocket sync protocol ({@code convex-js} {@code src/browser/sync/protocol.ts}):
 * encodes what the client sends, parses what the server sends. Values stay in Convex's encoded JSON here; the
 * connection decodes them with {@link ConvexValues}. A frame that is not a well-formed server message raises
 * {@link MalformedFrameException}, whose message describes the problem but never quotes the frame.
 */
final class SyncProtocol {

    /**
     * The client version in the socket's path ({@code /api/<version>/sync}): the official client release whose
     * protocol this class speaks (checked against it; see {@code docs/convex-client.md}).
     */
    static final String PROTOCOL_CLIENT_VERSION = "1.48.0";

    private SyncProtocol() {}

    // ---------------------------------------------------------------- server → client

    /** {@code {querySet, identity, ts}}; {@code ts} is unsigned nanoseconds since the epoch. */
    record StateVersion(int querySet, int identity, long ts) {
        static final StateVersion INITIAL = new StateVersion(0, 0, 0);

        @Override
        public String toString() {
            return querySet + ":" + identity + ":" + Long.toUnsignedString(ts);
        }
    }

    sealed interface ServerMessage {}

    record Transition(StateVersion start, StateVersion end, List<QueryChange> changes, Long serverTsMillis)
            implements ServerMessage {}

    record TransitionChunk(String transitionId, int partNumber, int totalParts, String chunk)
            implements ServerMessage {}

    record Ping() implements ServerMessage {}

    record AuthError(String error, int baseVersion) implements ServerMessage {}

    record FatalError(String error) implements ServerMessage {}

    /** {@code MutationResponse}, {@code ActionResponse}: this client sends no such requests. */
    record Response(String type) implements ServerMessage {}

    sealed interface QueryChange {
        int queryId();
    }

    record QueryUpdated(int queryId, JsonNode value) implements QueryChange {}

    record QueryFailed(int queryId, String errorMessage, JsonNode errorData) implements QueryChange {}

    record QueryRemoved(int queryId) implements QueryChange {}

    /** A frame that is not a server message of this protocol. */
    static final class MalformedFrameException extends Exception {
        MalformedFrameException(String problem) {
            super(problem);
        }
    }

    static ServerMessage parse(String frame) throws MalformedFrameException {
        JsonNode message;
        try {
            message = ConvexValues.mapper().readTree(frame);
        } catch (JsonProcessingException e) {
            throw new MalformedFrameException("not JSON");
        }
        if (message == null || !message.isObject()) {
            throw new MalformedFrameException("not a JSON object");
        }
        String type = text(message, "type");
        switch (type) {
            case "Transition":
                return transition(message);
            case "TransitionChunk":
                return new TransitionChunk(
                        text(message, "transitionId"),
                        integer(message, "partNumber"),
                        integer(message, "totalParts"),
                        text(message, "chunk"));
            case "Ping":
                return new Ping();
            case "AuthError":
                return new AuthError(
                        optionalText(message, "error"),
                        message.path("baseVersion").asInt(-1));
            case "FatalError":
                return new FatalError(optionalText(message, "error"));
            case "MutationResponse":
            case "ActionResponse":
                return new Response(type);
            default:
                throw new MalformedFrameException("unknown message type '" + abbreviate(type) + "'");
        }
    }

    private static Transition transition(JsonNode message) throws MalformedFrameException {
        StateVersion start = version(message.get("startVersion"), "startVersion");
        StateVersion end = version(message.get("endVersion"), "endVersion");
        JsonNode modifications = message.get("modifications");
        if (modifications == null || !modifications.isArray()) {
            throw new MalformedFrameException("a Transition without a modifications array");
        }
        List<QueryChange> changes = new ArrayList<>();
        for (JsonNode modification : modifications) {
            if (!modification.isObject()) {
                throw new MalformedFrameException("a Transition modification is not an object");
            }
            int queryId = integer(modification, "queryId");
            String type = text(modification, "type");
            switch (type) {
                case "QueryUpdated":
                    JsonNode value = modification.get("value");
                    changes.add(new QueryUpdated(
                            queryId, value == null ? ConvexValues.mapper().nullNode() : value));
                    break;
                case "QueryFailed":
                    changes.add(new QueryFailed(
                            queryId, optionalText(modification, "errorMessage"), modification.get("errorData")));
                    break;
                case "QueryRemoved":
                    changes.add(new QueryRemoved(queryId));
                    break;
                default:
                    throw new MalformedFrameException("unknown modification type '" + abbreviate(type) + "'");
            }
        }
        JsonNode serverTs = message.get("serverTs");
        Long serverTsMillis = serverTs != null && serverTs.isNumber() ? serverTs.asLong() : null;
        return new Transition(start, end, List.copyOf(changes), serverTsMillis);
    }

    private static StateVersion version(JsonNode node, String field) throws MalformedFrameException {
        if (node == null || !node.isObject()) {
            throw new MalformedFrameException("a Transition without " + field);
        }
        return new StateVersion(integer(node, "querySet"), integer(node, "identity"), decodeTs(text(node, "ts")));
    }

    /** Base64 of 8 little-endian bytes → unsigned nanoseconds (in a long). */
    static long decodeTs(String encoded) throws MalformedFrameException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("a timestamp is not base64");
        }
        if (bytes.length != 8) {
            throw new MalformedFrameException("a timestamp is not 8 bytes");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static String encodeTs(long ts) {
        return Base64.getEncoder()
                .encodeToString(ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(ts)
                        .array());
    }

    private static String text(JsonNode node, String field) throws MalformedFrameException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new MalformedFrameException("'" + field + "' is missing or not a string");
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    private static int integer(JsonNode node, String field) throws MalformedFrameException {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || value.asDouble() != value.asInt()) {
            throw new MalformedFrameException("'" + field + "' is missing or not an integer");
        }
        return value.asInt();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    // ---------------------------------------------------------------- client → server

    static String connect(String sessionId, int connectionCount, String lastCloseReason, long maxObservedTs) {
        ObjectNode message = object("Connect");
        message.put("sessionId", sessionId);
        message.put("connectionCount", connectionCount);
        if (lastCloseReason == null) {
            message.putNull("lastCloseReason");
        } else {
            message.put("lastCloseReason", lastCloseReason);
        }
        if (maxObservedTs != 0) {
            message.put("maxObservedTimestamp", encodeTs(maxObservedTs));
        }
        message.put("clientTs", System.currentTimeMillis());
        return write(message);
    }

    /**
     * {@code Authenticate}: {@code Admin} for a deploy key ({@code Convex <key>}), {@code User} for a JWT
     * ({@code Bearer <token>}). The result holds the credential: never log it.
     */
    static String authenticate(String authorization, int baseVersion) {
        int space = authorization.indexOf(' ');
        String scheme = authorization.substring(0, space);
        ObjectNode message = object("Authenticate");
        message.put("tokenType", "Convex".equals(scheme) ? "Admin" : "User");
        message.put("value", authorization.substring(space + 1));
        message.put("baseVersion", baseVersion);
        return write(message);
    }

    static String modifyQuerySet(QuerySet.Modification modification) {
        ObjectNode message = object("ModifyQuerySet");
        message.put("baseVersion", modification.baseVersion());
        message.put("newVersion", modification.newVersion());
        ArrayNode changes = message.putArray("modifications");
        for (QuerySet.Change change : modification.changes()) {
            ObjectNode node = changes.addObject();
            if (change instanceof QuerySet.Add add) {
                node.put("type", "Add");
                node.put("queryId", add.queryId());
                node.put("udfPath", add.udfPath());
                node.putArray("args").add(add.args());
            } else {
                node.put("type", "Remove");
                node.put("queryId", change.queryId());
            }
        }
        return write(message);
    }

    private static ObjectNode object(String type) {
        ObjectNode message = ConvexValues.mapper().createObjectNode();
        message.put("type", type);
        return message;
    }

    private static String write(ObjectNode message) {
        try {
            return ConvexValues.mapper().writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a sync message", e);
        }
    }
}
