package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.shared.JobStatus;
import java.util.EnumMap;
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
     * @param pending pending jobs, as far as the query counts them
     * @param pendingCapped whether {@code pending} is the query's cap, so that more jobs may be pending and a new one
     *     does not show in the count
     * @param nextRunAt the earliest {@code runAt} among them in epoch ms (0: due since always), or {@code null}
     *     when none is pending or when the query cannot tell (then a pending job counts as due)
     * @param runAtKnown whether the query tells runAt (the legacy metrics do not)
     * @param nextLeaseUntil the earliest lease end among held jobs in epoch ms, or {@code null}
     * @param counts the jobs by status the query counted, for the queue-depth metrics; {@code null} when it counts
     *     none but pending (the hardened {@code queue:watch})
     * @param readable false when the value does not have the shape the reader expects: it says nothing, and the
     *     worker must poll
     */
    record WorkState(
            int pending,
            boolean pendingCapped,
            Long nextRunAt,
            boolean runAtKnown,
            Long nextLeaseUntil,
            Map<JobStatus, Long> counts,
            boolean readable) {

        static final WorkState NOTHING = new WorkState(0, false, null, true, null, null, true);

        /**
         * What each count of the existing {@code queue:getMetrics} stops at: it is the length of a {@code take(100)}
         * on {@code by_status_runAt} (reference: fondation-system.md §1, "Queue functions").
         */
        static final int LEGACY_COUNT_CAP = 100;

        WorkState {
            counts = counts == null ? null : Map.copyOf(counts);
        }

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
                    value.path("pendingCapped").asBoolean(false),
                    millis(value.get("nextRunAt")),
                    true,
                    millis(value.get("nextLeaseUntil")),
                    null,
                    value.isObject() && value.has("pending"));
        }

        /**
         * {@code queue:getMetrics} of the existing deployment, exactly {@code {counts: {pending, processing,
         * completed, failed, dead}, recentActivity, timestamp}}: it counts pending jobs (at most
         * {@value #LEGACY_COUNT_CAP}) but does not say when they are due, nor when leases end. {@code processing}
         * counts status {@code claimed} only; jobs in the work phases (cloning ... running) and canceled ones are in
         * no count, so {@link #counts} leaves those statuses out.
         */
        static WorkState fromLegacyMetrics(JsonNode value) {
            Map<JobStatus, Long> counts = legacyCounts(value);
            if (counts == null) {
                return new WorkState(0, false, null, false, null, null, false);
            }
            int pending = Math.toIntExact(counts.get(JobStatus.PENDING));
            return new WorkState(pending, pending >= LEGACY_COUNT_CAP, null, false, null, counts, true);
        }

        /**
         * The {@code counts} of an existing {@code queue:getMetrics} answer by status, or {@code null} when the answer
         * has no numeric {@code counts.pending}.
         */
        static Map<JobStatus, Long> legacyCounts(JsonNode value) {
            JsonNode counts = value == null ? null : value.get("counts");
            if (counts == null || !counts.isObject() || !counts.path("pending").isNumber()) {
                return null;
            }
            Map<JobStatus, Long> byStatus = new EnumMap<>(JobStatus.class);
            byStatus.put(JobStatus.PENDING, counts.get("pending").asLong());
            put(byStatus, JobStatus.CLAIMED, counts.get("processing"));
            put(byStatus, JobStatus.COMPLETED, counts.get("completed"));
            put(byStatus, JobStatus.FAILED, counts.get("failed"));
            put(byStatus, JobStatus.DEAD, counts.get("dead"));
            return byStatus;
        }

        private static void put(Map<JobStatus, Long> counts, JobStatus status, JsonNode count) {
            if (count != null && count.isNumber()) {
                counts.put(status, count.asLong());
            }
        }

        private static Long millis(JsonNode node) {
            return node == null || !node.isNumber() ? null : node.asLong();
        }
    }
}
