package io.fondation.convexqueue.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code convex_encoded_json} codec: Java values to the JSON Convex's HTTP API expects, and
 * back.
 *
 * <h2>Encoding ({@link #encode})</h2>
 * <table>
 *   <caption>Java to Convex</caption>
 *   <tr><th>Java</th><th>Convex</th><th>JSON</th></tr>
 *   <tr><td>{@code Long}, {@code BigInteger} in range</td><td>int64</td><td>{@code {"$integer": base64 of 8 bytes little-endian}}</td></tr>
 *   <tr><td>{@code Double}, {@code Float}, {@code Integer}, {@code Short}, {@code Byte}</td><td>float64</td>
 *       <td>a JSON number; NaN, ±Infinity and -0.0 as {@code {"$float": base64 of 8 bytes little-endian}}</td></tr>
 *   <tr><td>{@code byte[]}</td><td>bytes</td><td>{@code {"$bytes": padded base64}}</td></tr>
 *   <tr><td>{@code String}, {@code Boolean}, {@code null}</td><td>string, boolean, null</td><td>as is</td></tr>
 *   <tr><td>{@code Collection}, arrays</td><td>array</td><td>array</td></tr>
 *   <tr><td>{@code Map<String, ?>}, records</td><td>object</td><td>object; record components that are
 *       {@code null} or an empty {@code Optional} are left out (Convex has no {@code undefined}),
 *       map values that are {@code null} are Convex {@code null}, empty Optionals are left out</td></tr>
 *   <tr><td>{@code Enum}</td><td>string</td><td>its {@code name()}</td></tr>
 *   <tr><td>{@code JsonNode}</td><td colspan="2">copied unchanged (it must already be in the encoded form)</td></tr>
 * </table>
 * Java {@code int} is sent as a float64 because Convex has no 32-bit integer; use {@code long}
 * for {@code v.int64()} arguments. Field names must be non-empty printable ASCII not starting
 * with {@code $}.
 *
 * <h2>Decoding</h2>
 * {@link #decode(JsonNode)} gives plain Java values ({@code Long}, {@code Double}, {@code byte[]},
 * {@code String}, {@code Boolean}, {@code null}, {@code List}, {@code Map}); {@link #decodeTree}
 * gives a Jackson tree with {@link LongNode}, {@link DoubleNode} and {@link BinaryNode} in place
 * of the encoded objects; {@link #decode(JsonNode, Class)} maps that tree onto a record or class
 * (unknown fields ignored, so {@code _id}/{@code _creationTime} need no component). Ids are
 * opaque strings.
 */
public final class ConvexValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ConvexValues() {}

    /** The Jackson mapper used to read responses and map decoded trees (shared, thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Encodes a Java value as {@code convex_encoded_json}.
     *
     * @throws IllegalArgumentException naming the type or field that cannot be encoded
     */
    public static JsonNode encode(Object value) {
        return encode(value, "value");
    }

    /** {@code {"$integer": ...}} for a 64-bit integer. */
    public static ObjectNode encodeInt64(long value) {
        byte[] bytes = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(value)
                .array();
        return NODES.objectNode().put("$integer", Base64.getEncoder().encodeToString(bytes));
    }

    /** A float64: a plain number, or {@code {"$float": ...}} for NaN, ±Infinity and -0.0. */
    public static JsonNode encodeFloat64(double value) {
        if (Double.isNaN(value)
                || Double.isInfinite(value)
                || Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(-0.0)) {
            byte[] bytes = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putDouble(value)
                    .array();
            return NODES.objectNode().put("$float", Base64.getEncoder().encodeToString(bytes));
        }
        if (value == Math.rint(value) && Math.abs(value) < 0x1p53) {
            // Integral values print without a fraction ("5", not "5.0"); both mean float64 5.
            return NODES.numberNode((long) value);
        }
        return NODES.numberNode(value);
    }

    /** {@code {"$bytes": ...}}. */
    public static ObjectNode encodeBytes(byte[] value) {
        return NODES.objectNode().put("$bytes", Base64.getEncoder().encodeToString(value));
    }

    private static JsonNode encode(Object value, String where) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean bool) {
            return NODES.booleanNode(bool);
        }
        if (value instanceof Long number) {
            return encodeInt64(number);
        }
        if (value instanceof BigInteger big) {
            if (big.bitLength() > 63) {
                throw new IllegalArgumentException(where + ": " + big + " does not fit in a Convex int64");
            }
            return encodeInt64(big.longValue());
        }
        if (value instanceof Double
                || value instanceof Float
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte) {
            return encodeFloat64(((Number) value).doubleValue());
        }
        if (value instanceof byte[] bytes) {
            return encodeBytes(bytes);
        }
        if (value instanceof Optional<?> optional) {
            return encode(optional.orElse(null), where);
        }
        if (value instanceof Enum<?> constant) {
            return NODES.textNode(constant.name());
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(where + ": object keys must be strings, got "
                            + (entry.getKey() == null
                                    ? "null"
                                    : entry.getKey().getClass().getName()));
                }
                if (entry.getValue() instanceof Optional<?> optional && optional.isEmpty()) {
                    continue;
                }
                putField(object, key, entry.getValue(), where);
            }
            return object;
        }
        if (value instanceof Record record) {
            ObjectNode object = NODES.objectNode();
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                Object field = read(component, record);
                if (field == null || (field instanceof Optional<?> optional && optional.isEmpty())) {
                    continue;
                }
                putField(object, component.getName(), field, where);
            }
            return object;
        }
        if (value instanceof Iterable<?> iterable) {
            ArrayNode array = NODES.arrayNode();
            int i = 0;
            for (Object element : iterable) {
                array.add(encode(element, where + "[" + i++ + "]"));
            }
            return array;
        }
        if (value instanceof Object[] elements) {
            return encode(List.of(elements), where);
        }
        if (value instanceof long[] longs) {
            ArrayNode array = NODES.arrayNode();
            for (long element : longs) {
                array.add(encodeInt64(element));
            }
            return array;
        }
        if (value instanceof int[] ints) {
            ArrayNode array = NODES.arrayNode();
            for (int element : ints) {
                array.add(encodeFloat64(element));
            }
            return array;
        }
        if (value instanceof double[] doubles) {
            ArrayNode array = NODES.arrayNode();
            for (double element : doubles) {
                array.add(encodeFloat64(element));
            }
            return array;
        }
        throw new IllegalArgumentException(
                where + ": cannot encode a " + value.getClass().getName()
                        + " as a Convex value (use Long, Double, String, Boolean, byte[], List, Map or a record)");
    }

    private static void putField(ObjectNode object, String key, Object value, String where) {
        requireValidFieldName(key, where);
        object.set(key, encode(value, where + "." + key));
    }

    /**
     * Checks a Convex object field name: non-empty, printable ASCII, not starting with {@code $}.
     *
     * @throws IllegalArgumentException naming the field
     */
    public static void requireValidFieldName(String key, String where) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException(where + ": Convex field names must not be empty");
        }
        if (key.startsWith("$")) {
            throw new IllegalArgumentException(where + ": Convex field name '" + key + "' must not start with '$'");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(where + ": Convex field name '" + key + "' must be printable ASCII");
            }
        }
    }

    private static Object read(RecordComponent component, Record record) {
        try {
            component.getAccessor().setAccessible(true);
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read component " + component.getName() + " of "
                            + record.getClass().getName(),
                    e);
        }
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes to plain Java values: {@code Long} (int64), {@code Double} (every other number),
     * {@code byte[]}, {@code String}, {@code Boolean}, {@code null}, {@code List<Object>},
     * {@code Map<String, Object>} (in field order).
     *
     * @throws IllegalArgumentException on a malformed {@code $integer}/{@code $float}/{@code $bytes} or unknown {@code $} tag
     */
    public static Object decode(JsonNode encoded) {
        if (encoded == null || encoded.isNull() || encoded.isMissingNode()) {
            return null;
        }
        if (encoded.isTextual()) {
            return encoded.textValue();
        }
        if (encoded.isBoolean()) {
            return encoded.booleanValue();
        }
        if (encoded.isNumber()) {
            return encoded.doubleValue();
        }
        if (encoded.isArray()) {
            List<Object> list = new ArrayList<>(encoded.size());
            for (JsonNode element : encoded) {
                list.add(decode(element));
            }
            return list;
        }
        if (encoded.isObject()) {
            JsonNode special = decodeSpecial(encoded);
            if (special != null) {
                if (special instanceof LongNode number) {
                    return number.longValue();
                }
                if (special instanceof DoubleNode number) {
                    return number.doubleValue();
                }
                return ((BinaryNode) special).binaryValue();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : encoded.properties()) {
                map.put(field.getKey(), decode(field.getValue()));
            }
            return map;
        }
        if (encoded.isBinary()) {
            return ((BinaryNode) encoded).binaryValue();
        }
        throw new IllegalArgumentException("unexpected JSON node " + encoded.getNodeType());
    }

    /**
     * Decodes to a plain Jackson tree: {@code $integer} becomes a {@link LongNode}, {@code $float} a
     * {@link DoubleNode} (possibly NaN or infinite), {@code $bytes} a {@link BinaryNode}; the rest is
     * copied. {@code null} input gives a {@code NullNode}.
     */
    public static JsonNode decodeTree(JsonNode encoded) {
        if (encoded == null || encoded.isMissingNode()) {
            return NODES.nullNode();
        }
        if (encoded.isArray()) {
            ArrayNode array = NODES.arrayNode(encoded.size());
            for (JsonNode element : encoded) {
                array.add(decodeTree(element));
            }
            return array;
        }
        if (encoded.isObject()) {
            JsonNode special = decodeSpecial(encoded);
            if (special != null) {
                return special;
            }
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : encoded.properties()) {
                object.set(field.getKey(), decodeTree(field.getValue()));
            }
            return object;
        }
        return encoded;
    }

    /**
     * Decodes and maps onto {@code type} (a record, a class, {@code Long}, {@code String} ...).
     *
     * @throws IllegalArgumentException when the value does not fit the type
     */
    public static <T> T decode(JsonNode encoded, Class<T> type) {
        try {
            return MAPPER.treeToValue(decodeTree(encoded), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read a Convex value as " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Like {@link #decode(JsonNode, Class)} for generic types such as {@code List<Job>}. */
    public static <T> T decode(JsonNode encoded, TypeReference<T> type) {
        try {
            return MAPPER.readerFor(type).readValue(decodeTree(encoded));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read a Convex value as " + type.getType() + ": " + e.getMessage(), e);
        }
    }

    /** The decoded node for a one-field {@code $} object, null for an ordinary object. */
    private static JsonNode decodeSpecial(JsonNode object) {
        if (object.size() != 1) {
            return null;
        }
        String key = object.fieldNames().next();
        if (!key.startsWith("$")) {
            return null;
        }
        JsonNode payload = object.get(key);
        if (!payload.isTextual()) {
            throw new IllegalArgumentException("malformed Convex value: " + key + " needs a base64 string");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(payload.textValue());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed Convex value: " + key + " is not valid base64", e);
        }
        switch (key) {
            case "$integer":
                return LongNode.valueOf(eightBytes(bytes, key).getLong());
            case "$float":
                return DoubleNode.valueOf(eightBytes(bytes, key).getDouble());
            case "$bytes":
                return BinaryNode.valueOf(bytes);
            default:
                throw new IllegalArgumentException("unknown Convex encoded value " + key);
        }
    }

    private static ByteBuffer eightBytes(byte[] bytes, String key) {
        if (bytes.length != 8) {
            throw new IllegalArgumentException(
                    "malformed Convex value: " + key + " must hold 8 bytes, got " + bytes.length);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
