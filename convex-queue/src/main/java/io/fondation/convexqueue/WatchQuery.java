package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;

/**
 * A query whose pushed result a watch reads: which function, with which arguments, and how to read its value.
 *
 * @param <T> what the value says
 */
record WatchQuery<T>(String path, Map<String, Object> args, Function<JsonNode, T> reader) {

    /**
     * What a pushed queue state says about work.
     *
     * @param pending pending jobs (capped)
     * @param nextRunAt the earliest {@code runAt} among them in epoch ms (0: due since always), or {@code null}
     *     when none is pending or when the query cannot tell (then a pending job counts as due)
     * @param runAtKnown whether the query tells runAt (the legacy metrics do not)
     * @param nextLeaseUntil the earliest lease end among held jobs in epoch ms, or {@code null}
     */
    record WorkState(int pending, Long nextRunAt, boolean runAtKnown, Long nextLeaseUntil) {

        static final WorkState NOTHING = new WorkState(0, null, true, null);

        /** When a claim may next find a job, in the deployment's epoch ms; {@link Long#MAX_VALUE} for never. */
        long dueAt() {
            long due = Long.MAX_VALUE;
            if (pending > 0) {
                due = nextRunAt == null ? 0 : nextRunAt;
            }
            if (nextLeaseUntil != null) {
                due = Math.min(due, nextLeaseUntil);
            }
            return due;
        }

        /** {@code queue:watch} of the hardened functions. */
        static WorkState fromWatch(JsonNode value) {
            return new WorkState(
                    value.path("pending").asInt(0),
                    millis(value.get("nextRunAt")),
                    true,
                    millis(value.get("nextLeaseUntil")));
        }

        /**
         * {@code queue:getMetrics} of the existing deployment ({@code {byStatus, lastHour, timestamp}}): it counts
         * pending jobs but does not say when they are due, nor when leases end (nothing reclaims them there).
         */
        static WorkState fromLegacyMetrics(JsonNode value) {
            int pending = value.path("byStatus").path("pending").asInt(0);
            return new WorkState(pending, null, false, null);
        }

        private static Long millis(JsonNode node) {
            return node == null || !node.isNumber() ? null : node.asLong();
        }
    }
}
