package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.convexqueue.WatchQuery.WorkState;
import io.fondation.shared.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * How a pushed {@code queue:getMetrics} of the existing deployment is read: exactly the shape of the reference
 * ({@code {counts: {pending, processing, completed, failed, dead}, recentActivity, timestamp}}), the cap of 100, and a
 * value of another shape (the made-up {@code byStatus} a fixture once returned) read as saying nothing.
 */
class WatchQueryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void theRealMetricsShapeGivesThePendingCountAndTheCountsItHas() throws Exception {
        WorkState state =
                WorkState.fromLegacyMetrics(json("{\"counts\":{\"pending\":3,\"processing\":1,\"completed\":7,"
                        + "\"failed\":2,\"dead\":1},\"recentActivity\":{\"total\":9,\"completed\":7,\"failed\":2},"
                        + "\"timestamp\":1736942400000}"));
        assertThat(state.readable()).isTrue();
        assertThat(state.pending()).isEqualTo(3);
        assertThat(state.pendingCapped()).isFalse();
        assertThat(state.runAtKnown()).isFalse();
        assertThat(state.dueAt()).as("a pending job counts as due").isZero();
        assertThat(state.counts())
                .containsOnlyKeys(
                        JobStatus.PENDING, JobStatus.CLAIMED, JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.DEAD)
                .containsEntry(JobStatus.CLAIMED, 1L)
                .containsEntry(JobStatus.COMPLETED, 7L);
    }

    @Test
    void aCountOfOneHundredIsTheCap() throws Exception {
        WorkState state = WorkState.fromLegacyMetrics(json("{\"counts\":{\"pending\":100,\"processing\":0,"
                + "\"completed\":100,\"failed\":0,\"dead\":0},\"recentActivity\":{\"total\":100,\"completed\":0,"
                + "\"failed\":0},\"timestamp\":1}"));
        assertThat(state.pending()).isEqualTo(100);
        assertThat(state.pendingCapped()).isTrue();
    }

    @Test
    void aValueWithoutCountsSaysNothingInsteadOfZero() throws Exception {
        WorkState state =
                WorkState.fromLegacyMetrics(json("{\"byStatus\":{\"pending\":4},\"lastHour\":0,\"timestamp\":1}"));
        assertThat(state.readable()).isFalse();
        assertThat(WorkState.legacyCounts(json("{\"counts\":{\"pending\":\"4\"}}")))
                .isNull();
    }
}
