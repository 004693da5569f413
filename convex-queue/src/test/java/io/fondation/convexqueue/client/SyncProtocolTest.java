package io.fondation.convexqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.client.SyncProtocol.MalformedFrameException;
import io.fondation.convexqueue.client.SyncProtocol.QueryFailed;
import io.fondation.convexqueue.client.SyncProtocol.QueryUpdated;
import io.fondation.convexqueue.client.SyncProtocol.StateVersion;
import io.fondation.convexqueue.client.SyncProtocol.Transition;
import io.fondation.shared.Backoff;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sync protocol's codec, frame by frame (the socket itself is tested against the test server). */
class SyncProtocolTest {

    @Test
    void timestampsAreUnsignedLittleEndianNanosecondsInBase64() throws Exception {
        assertThat(SyncProtocol.encodeTs(0)).isEqualTo("AAAAAAAAAAA=");
        assertThat(SyncProtocol.encodeTs(1)).isEqualTo("AQAAAAAAAAA=");
        long nanos = 1_767_225_600_123_456_789L;
        assertThat(SyncProtocol.decodeTs(SyncProtocol.encodeTs(nanos))).isEqualTo(nanos);
        assertThat(SyncProtocol.decodeTs(SyncProtocol.encodeTs(-1L))).isEqualTo(-1L); // 2^64 - 1, unsigned
    }

    @Test
    void parsesATransitionWithUpdatedAndFailedQueries() throws Exception {
        String frame = "{\"type\":\"Transition\","
                + "\"startVersion\":{\"querySet\":0,\"identity\":0,\"ts\":\"AAAAAAAAAAA=\"},"
                + "\"endVersion\":{\"querySet\":1,\"identity\":1,\"ts\":\"AQAAAAAAAAA=\"},"
                + "\"modifications\":[{\"type\":\"QueryUpdated\",\"queryId\":3,\"value\":{\"n\":{\"$integer\":\"AQAAAAAAAAA=\"}},"
                + "\"logLines\":[],\"journal\":null},"
                + "{\"type\":\"QueryFailed\",\"queryId\":4,\"errorMessage\":\"boom\",\"errorData\":{\"code\":\"X\"},"
                + "\"logLines\":[],\"journal\":null}],\"serverTs\":1234}";
        Transition transition = (Transition) SyncProtocol.parse(frame);
        assertThat(transition.start()).isEqualTo(StateVersion.INITIAL);
        assertThat(transition.end()).isEqualTo(new StateVersion(1, 1, 1));
        assertThat(transition.serverTsMillis()).isEqualTo(1234L);
        assertThat(transition.changes()).hasSize(2);
        QueryUpdated updated = (QueryUpdated) transition.changes().get(0);
        assertThat(ConvexValues.decodeTree(updated.value()).get("n").longValue())
                .isEqualTo(1L);
        assertThat(((QueryFailed) transition.changes().get(1))
                        .errorData()
                        .get("code")
                        .asText())
                .isEqualTo("X");
    }

    @Test
    void malformedFramesSayWhatIsWrongWithoutQuotingThem() {
        assertThatThrownBy(() -> SyncProtocol.parse("{\"type\":\"Ping\"")).hasMessage("not JSON");
        assertThatThrownBy(() -> SyncProtocol.parse("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> SyncProtocol.parse("{\"type\":\"secret-value-here\"}"))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("unknown message type");
        assertThatThrownBy(() -> SyncProtocol.parse("{\"type\":\"Transition\",\"startVersion\":{\"querySet\":0,"
                        + "\"identity\":0,\"ts\":\"AAAA\"},\"endVersion\":{},\"modifications\":[]}"))
                .hasMessage("a timestamp is not 8 bytes");
    }

    @Test
    void writesConnectAuthenticateAndQuerySetChanges() throws Exception {
        String connect = SyncProtocol.connect("s-1", 2, "InactivityTimeout", 0);
        assertThat(ConvexValues.mapper()
                        .readTree(connect)
                        .get("connectionCount")
                        .asInt())
                .isEqualTo(2);
        assertThat(connect).doesNotContain("maxObservedTimestamp");
        assertThat(SyncProtocol.authenticate("Convex k-123", 0))
                .contains("\"tokenType\":\"Admin\"")
                .contains("\"value\":\"k-123\"");
        assertThat(SyncProtocol.authenticate("Bearer jwt", 0)).contains("\"tokenType\":\"User\"");
        QuerySet.Modification add = new QuerySet.Modification(
                0, 1, java.util.List.of(new QuerySet.Add(5, "queue:watch", ConvexValues.encode(Map.of("a", 1L)))));
        assertThat(SyncProtocol.modifyQuerySet(add))
                .isEqualTo(
                        "{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,\"modifications\":"
                                + "[{\"type\":\"Add\",\"queryId\":5,\"udfPath\":\"queue:watch\",\"args\":[{\"a\":{\"$integer\":\"AQAAAAAAAAA=\"}}]}]}");
    }

    @Test
    void backoffDoublesWithJitterUpToItsCapAndResets() {
        Backoff.Sequence backoff = Backoff.doubling(Duration.ofMillis(100), Duration.ofMillis(400))
                .withJitter(Backoff.Jitter.EQUAL)
                .sequence();
        long[] bases = {100, 200, 400, 400};
        for (long base : bases) {
            assertThat(backoff.next().toMillis()).isBetween(base / 2, base - 1);
        }
        backoff.reset();
        assertThat(backoff.next().toMillis()).isBetween(50L, 99L);
    }
}
