package io.fondation.convexqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvexValuesTest {

    private static String json(JsonNode node) throws Exception {
        return ConvexValues.mapper().writeValueAsString(node);
    }

    private static JsonNode parse(String json) throws Exception {
        return ConvexValues.mapper().readTree(json);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "1, AQAAAAAAAAA=",
        "-2, /v////////8=",
        "0, AAAAAAAAAAA=",
        "9223372036854775807, /////////38=",
        "-9223372036854775808, AAAAAAAAAIA=",
    })
    void int64IsEightLittleEndianBytesInBase64(long value, String base64) throws Exception {
        assertThat(json(ConvexValues.encode(value))).isEqualTo("{\"$integer\":\"" + base64 + "\"}");
        assertThat(ConvexValues.decode(parse("{\"$integer\":\"" + base64 + "\"}")))
                .isEqualTo(value);
    }

    @Test
    void specialFloatsAreTaggedAndRoundTrip() throws Exception {
        assertThat(json(ConvexValues.encode(Double.NaN))).isEqualTo("{\"$float\":\"AAAAAAAA+H8=\"}");
        assertThat(json(ConvexValues.encode(Double.POSITIVE_INFINITY))).isEqualTo("{\"$float\":\"AAAAAAAA8H8=\"}");
        assertThat(json(ConvexValues.encode(Double.NEGATIVE_INFINITY))).isEqualTo("{\"$float\":\"AAAAAAAA8P8=\"}");
        assertThat(json(ConvexValues.encode(-0.0))).isEqualTo("{\"$float\":\"AAAAAAAAAIA=\"}");

        assertThat((Double) ConvexValues.decode(ConvexValues.encode(Double.NaN)))
                .isNaN();
        assertThat(ConvexValues.decode(ConvexValues.encode(Double.POSITIVE_INFINITY)))
                .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(ConvexValues.decode(ConvexValues.encode(Double.NEGATIVE_INFINITY)))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        double negativeZero = (Double) ConvexValues.decode(ConvexValues.encode(-0.0));
        assertThat(Double.doubleToRawLongBits(negativeZero)).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void ordinaryNumbersArePlainFloat64() throws Exception {
        assertThat(json(ConvexValues.encode(0.0))).isEqualTo("0");
        assertThat(json(ConvexValues.encode(5.0))).isEqualTo("5");
        assertThat(json(ConvexValues.encode(1.5))).isEqualTo("1.5");
        assertThat(json(ConvexValues.encode(42)))
                .as("Integer is a float64, not an int64")
                .isEqualTo("42");
        assertThat(json(ConvexValues.encode(1e300))).isEqualTo("1.0E300");
        assertThat(ConvexValues.decode(parse("5"))).isEqualTo(5.0);
        assertThat(ConvexValues.decode(parse("5.0"))).isEqualTo(5.0);
        assertThat(ConvexValues.decode(parse("1.0E300"))).isEqualTo(1e300);
    }

    @Test
    void bytesAreStandardPaddedBase64() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
        assertThat(json(ConvexValues.encode(bytes))).isEqualTo("{\"$bytes\":\"AAEC//4=\"}");
        assertThat((byte[]) ConvexValues.decode(parse("{\"$bytes\":\"AAEC//4=\"}")))
                .containsExactly(bytes);
        assertThat((byte[]) ConvexValues.decode(ConvexValues.encode(new byte[0])))
                .isEmpty();
    }

    record Inner(long count, byte[] blob) {}

    record Outer(
            String name,
            Integer optionalNumber,
            Optional<String> maybe,
            List<Inner> items,
            Map<String, Object> extra) {}

    @Test
    void recordsMapsAndListsNestAndLeaveOutAbsentFields() throws Exception {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("nothing", null);
        extra.put("skipped", Optional.empty());
        extra.put("flag", true);
        Outer value = new Outer("é", null, Optional.empty(), List.of(new Inner(7, new byte[] {1})), extra);

        assertThat(json(ConvexValues.encode(value)))
                .isEqualTo(
                        "{\"name\":\"é\",\"items\":[{\"count\":{\"$integer\":\"BwAAAAAAAAA=\"},\"blob\":{\"$bytes\":\"AQ==\"}}],"
                                + "\"extra\":{\"nothing\":null,\"flag\":true}}");
    }

    @Test
    void decodeGivesPlainJavaValuesInFieldOrder() throws Exception {
        Object decoded = ConvexValues.decode(
                parse(
                        "{\"b\":[1,\"x\",null,true],\"a\":{\"$integer\":\"AQAAAAAAAAA=\"},\"c\":{\"nested\":{\"$bytes\":\"AQ==\"}}}"));

        assertThat(decoded).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) decoded;
        assertThat(new ArrayList<Object>(map.keySet())).containsExactly("b", "a", "c");
        assertThat(map.get("b")).isEqualTo(Arrays.asList(1.0, "x", null, true));
        assertThat(map.get("a")).isEqualTo(1L);
        assertThat((byte[]) ((Map<?, ?>) map.get("c")).get("nested")).containsExactly(1);
    }

    record Job(String id, long attempts, int maxAttempts, double score, byte[] payload, List<String> tags) {}

    @Test
    void decodesOntoRecordsIgnoringSystemFields() throws Exception {
        JsonNode encoded = parse("{\"_id\":\"k1;jobs\",\"_creationTime\":1.7e12,\"id\":\"k1\","
                + "\"attempts\":{\"$integer\":\"AwAAAAAAAAA=\"},\"maxAttempts\":5.0,\"score\":{\"$float\":\"AAAAAAAA8H8=\"},"
                + "\"payload\":{\"$bytes\":\"AQI=\"},\"tags\":[\"a\",\"b\"]}");

        Job job = ConvexValues.decode(encoded, Job.class);

        assertThat(job.id()).isEqualTo("k1");
        assertThat(job.attempts()).isEqualTo(3L);
        assertThat(job.maxAttempts()).isEqualTo(5);
        assertThat(job.score()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(job.payload()).containsExactly(1, 2);
        assertThat(job.tags()).containsExactly("a", "b");
    }

    @Test
    void encodeRoundTripsThroughDecodeTree() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("min", Long.MIN_VALUE);
        value.put("max", Long.MAX_VALUE);
        value.put("nan", Double.NaN);
        value.put("bytes", new byte[] {9});
        value.put("list", List.of(1L, -0.0, "s"));

        JsonNode tree = ConvexValues.decodeTree(ConvexValues.encode(value));

        assertThat(tree.get("min").isLong()).isTrue();
        assertThat(tree.get("min").longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat(tree.get("max").longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(tree.get("nan").doubleValue()).isNaN();
        assertThat(tree.get("bytes").binaryValue()).containsExactly(9);
        assertThat(tree.get("list").get(0).longValue()).isEqualTo(1L);
        assertThat(Double.doubleToRawLongBits(tree.get("list").get(1).doubleValue()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void bigIntegerWithinRangeIsInt64AndOutsideIsRefused() throws Exception {
        assertThat(json(ConvexValues.encode(BigInteger.valueOf(-2)))).isEqualTo("{\"$integer\":\"/v////////8=\"}");
        assertThatThrownBy(() -> ConvexValues.encode(BigInteger.ONE.shiftLeft(63)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int64");
    }

    @Test
    void invalidFieldNamesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> ConvexValues.encode(Map.of("$bad", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$bad");
        assertThatThrownBy(() -> ConvexValues.encode(Map.of("", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ConvexValues.encode(Map.of("naïve", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ASCII");
        assertThatThrownBy(() -> ConvexValues.encode(Map.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strings");
    }

    @Test
    void unsupportedTypesAreRefusedWithTheirType() {
        assertThatThrownBy(() -> ConvexValues.encode(Map.of("when", java.time.Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value.when")
                .hasMessageContaining("java.time.Instant");
    }

    @Test
    void malformedEncodedValuesAreRefused() {
        assertThatThrownBy(() -> ConvexValues.decode(parse("{\"$integer\":\"AQ==\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8 bytes");
        assertThatThrownBy(() -> ConvexValues.decode(parse("{\"$integer\":\"***\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> ConvexValues.decode(parse("{\"$set\":\"AQ==\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$set");
        assertThatThrownBy(() -> ConvexValues.decode(parse("{\"$float\":1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$float");
    }
}
