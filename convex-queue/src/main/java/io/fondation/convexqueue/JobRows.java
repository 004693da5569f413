package io.fondation.convexqueue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexValues;
import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.UsdAmounts;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads job rows, documents and sources from decoded Convex values (tolerant of absent fields). */
final class JobRows {

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private JobRows() {}

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    }

    static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : (int) Math.round(value.doubleValue());
    }

    static int integer(JsonNode node, String field, int fallback) {
        Integer value = integer(node, field);
        return value == null ? fallback : value;
    }

    /**
     * A time stored as epoch milliseconds, or as an ISO-8601 string (the existing {@code queue:retryOrFail}
     * answers {@code nextRunAt} as {@code new Date(ms).toISOString()}).
     */
    static Instant instant(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return Instant.ofEpochMilli(Math.round(value.doubleValue()));
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.asText());
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** A US-dollar amount stored as a float64, rounded to the micro-dollar; {@code null} when absent. */
    static BigDecimal usd(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : UsdAmounts.ofDouble(value.doubleValue());
    }

    /** A US-dollar amount as the functions take it ({@code v.number()}), or {@code null} to leave it out. */
    static Double usdArg(BigDecimal usd) {
        return usd == null ? null : UsdAmounts.require("costUsd", usd).doubleValue();
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    /** The row's id: {@code id} or {@code _id}. */
    static String id(JsonNode node) {
        String id = text(node, "id");
        return id != null ? id : text(node, "_id");
    }

    /**
     * The clone source a row names: {@code source {url, fullName, branch}}, else {@code repositoryUrl}
     * with {@code branch}, else the repository looked up by {@code repositoryId}.
     *
     * @return the source, or null when the row names none
     * @throws IllegalArgumentException when the row's source is malformed (bad branch, bad owner/name)
     */
    static CloneSource source(JsonNode row, Function<String, CloneSource> repositoryLookup) {
        JsonNode source = row.get("source");
        if (source != null && source.isObject()) {
            String url = text(source, "url");
            String fullName = text(source, "fullName");
            String branch = text(source, "branch");
            if (url != null && !url.isBlank()) {
                return CloneSource.ofUrl(url, branch);
            }
            if (fullName != null && !fullName.isBlank()) {
                return CloneSource.ofFullName(fullName, branch);
            }
        }
        String repositoryUrl = text(row, "repositoryUrl");
        if (repositoryUrl != null && !repositoryUrl.isBlank()) {
            return CloneSource.ofUrl(repositoryUrl, text(row, "branch"));
        }
        String repositoryId = text(row, "repositoryId");
        return repositoryId == null ? null : repositoryLookup.apply(repositoryId);
    }

    /** A {@code repositories} row as a source: {@code fullName} on its {@code defaultBranch}. */
    static CloneSource repositorySource(JsonNode repository) {
        String fullName = text(repository, "fullName");
        if (fullName == null) {
            throw new IllegalArgumentException("the repository row has no fullName");
        }
        return CloneSource.ofFullName(fullName, text(repository, "defaultBranch"));
    }

    /**
     * The {@code byStatus} counts of the hardened {@code queue:getMetrics} (every status; the existing function has
     * {@code counts} instead: {@link WatchQuery.WorkState#legacyCounts}); statuses this worker does not know are
     * skipped.
     *
     * @throws JobQueueException when the answer has no counts
     */
    static Map<JobStatus, Long> statusCounts(JsonNode metrics) {
        JsonNode byStatus = metrics == null ? null : metrics.get("byStatus");
        if (byStatus == null || !byStatus.isObject()) {
            throw new JobQueueException("queue:getMetrics answered without byStatus counts", false);
        }
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            JsonNode count = byStatus.get(status.wireName());
            counts.put(status, count != null && count.isNumber() ? Math.round(count.doubleValue()) : 0L);
        }
        return counts;
    }

    /**
     * The claim a {@code queue:claimOne} row describes (attempt counts, prompt, owner, and since when it was due
     * when the hardened functions tell), under {@code lease} and cloning {@code source}.
     *
     * @param countedAtClaim whether the row's {@code attempts} already counts this attempt (the hardened functions,
     *     which count attempts started) or only the ended ones (the legacy functions)
     */
    static ClaimedJob claim(JsonNode row, CloneSource source, JobLease lease, boolean countedAtClaim) {
        int attempts = integer(row, "attempts", 0);
        int maxAttempts = integer(row, "maxAttempts", JobSpec.DEFAULT_MAX_ATTEMPTS);
        return new ClaimedJob(
                lease.jobId(),
                source,
                text(row, "prompt"),
                countedAtClaim ? Math.max(attempts, 1) : attempts + 1,
                maxAttempts,
                lease,
                text(row, "userId"),
                instant(row, "dueAt"),
                terms(row));
    }

    /**
     * The fair-claim, budget and pause fields of a claim's answer ({@code userKey}, {@code priority}, {@code costUsd},
     * {@code budgetUsd}, {@code probe}), or {@code null} from functions that predate them (no {@code userKey}).
     */
    static ClaimTerms terms(JsonNode row) {
        String userKey = text(row, "userKey");
        if (userKey == null) {
            return null;
        }
        return new ClaimTerms(
                userKey, integer(row, "priority", 0), usd(row, "costUsd"), usd(row, "budgetUsd"), bool(row, "probe"));
    }

    /**
     * The answer of {@code queue:retryOrFail} ({@code {status, attempts, nextRunAt?}}), the same in
     * both generations of the functions.
     *
     * @throws JobQueueException when the answer is malformed
     */
    static RetryDecision retryDecision(JsonNode answer, String function) {
        String status = text(answer, "status");
        int attempts = integer(answer, "attempts", 0);
        if (status == null) {
            throw new JobQueueException(function + " answered without a status", false);
        }
        switch (status) {
            case "retrying":
                Instant next = instant(answer, "nextRunAt");
                if (next == null) {
                    throw new JobQueueException(function + " answered retrying without nextRunAt", false);
                }
                return new RetryDecision.Retrying(next, attempts);
            case "dead":
                return new RetryDecision.GaveUp(JobStatus.DEAD, attempts);
            case "failed":
                return new RetryDecision.GaveUp(JobStatus.FAILED, attempts);
            case "not_held":
                return new RetryDecision.NotHeld();
            default:
                throw new JobQueueException(function + " answered an unknown status '" + status + "'", false);
        }
    }

    static JobSnapshot snapshot(JsonNode row, Function<String, CloneSource> repositoryLookup) {
        CloneSource source;
        try {
            source = source(row, repositoryLookup);
        } catch (IllegalArgumentException e) {
            source = null; // A malformed source must not hide the rest of the job from status views.
        }
        int docsCount = integer(row, "docsCount", 0);
        String lastError = text(row, "lastError");
        return new JobSnapshot(
                id(row),
                JobStatus.fromWire(text(row, "status")),
                source,
                text(row, "prompt"),
                integer(row, "attempts", 0),
                integer(row, "maxAttempts", JobSpec.DEFAULT_MAX_ATTEMPTS),
                instant(row, "runAt"),
                text(row, "lockedBy"),
                instant(row, "leaseUntil"),
                progress(row),
                lastError != null ? lastError : text(row, "error"),
                result(row.get("result"), docsCount),
                docsCount,
                bool(row, "cancelRequested"),
                instant(row, "createdAt"),
                instant(row, "updatedAt"),
                instant(row, "completedAt"),
                text(row, "userKey"),
                integer(row, "priority", 0),
                usd(row, "costUsd"),
                // The job's own cap, else the one its last claim set from the worker's default.
                usd(row, "maxCostUsd") != null ? usd(row, "maxCostUsd") : usd(row, "costLimitUsd"));
    }

    static Progress progress(JsonNode row) {
        String message = text(row, "progress");
        Integer step = integer(row, "currentStep");
        if (message == null && step == null) {
            return null;
        }
        int total = Math.max(1, integer(row, "totalSteps", Progress.FONDATION_STEPS));
        int current = Math.max(0, Math.min(total, step == null ? 0 : step));
        return new Progress(current, total, message);
    }

    static JobResult result(JsonNode result, int docsCount) {
        if (result == null || result.isNull()) {
            return null;
        }
        if (result.isTextual()) {
            return new JobResult(result.asText(), docsCount, Map.of());
        }
        return new JobResult(text(result, "message"), docsCount, details(result.get("data")));
    }

    /** {@code result.data}: a JSON object in a string (the existing schema), or an object. */
    private static Map<String, Object> details(JsonNode data) {
        if (data == null || data.isNull()) {
            return Map.of();
        }
        try {
            JsonNode parsed = data.isTextual() ? ConvexValues.mapper().readTree(data.asText()) : data;
            if (parsed == null || !parsed.isObject()) {
                return Map.of("data", data.asText());
            }
            Map<String, Object> map = ConvexValues.mapper().convertValue(parsed, MAP);
            map.values().removeIf(v -> v == null);
            return map;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Map.of("data", data.asText());
        }
    }

    /** A successful result as the {@code result} argument of {@code queue:complete}: {@code {success, message, data?}}. */
    static Map<String, Object> resultArg(JobResult result) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("success", true);
        arg.put("message", result.message());
        String data = detailsJson(result);
        if (data != null) {
            arg.put("data", data);
        }
        return arg;
    }

    /** {@link JobResult#details()} as the JSON string {@code result.data} holds, or null when empty. */
    private static String detailsJson(JobResult result) {
        if (result.details().isEmpty()) {
            return null;
        }
        try {
            return ConvexValues.mapper().writeValueAsString(result.details());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job result details cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** A {@code docs} row as a document. */
    static Document document(JsonNode row) {
        return new Document(
                text(row, "slug"),
                text(row, "title"),
                integer(row, "chapterIndex"),
                DocumentKind.fromWire(text(row, "kind")),
                text(row, "content"));
    }

    /** Documents as the {@code files} argument of saveDocuments / upsertFromJob. */
    static List<Map<String, Object>> files(List<Document> documents) {
        return documents.stream().map(JobRows::file).toList();
    }

    private static Map<String, Object> file(Document document) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("slug", document.slug());
        file.put("title", document.title());
        if (document.chapterIndex() != null) {
            file.put("chapterIndex", (double) document.chapterIndex());
        }
        file.put("content", document.content());
        file.put("kind", document.kind().wireName());
        return file;
    }
}
