package io.fondation.http.api;

import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.Progress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON the API gives for jobs and documents (described in {@code openapi.json}). */
final class JobJson {

    private JobJson() {}

    static Map<String, Object> job(JobSnapshot job) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", job.id());
        body.put("status", job.status().wireName());
        body.put("repository", repository(job.source()));
        body.put("branch", job.source().branch());
        body.put("prompt", job.prompt());
        body.put("progress", progress(job.progress()));
        body.put("attempts", job.attempts());
        body.put("maxAttempts", job.maxAttempts());
        body.put("error", job.lastError());
        body.put("documentCount", job.documentCount());
        body.put("cancelRequested", job.cancelRequested());
        body.put("runAt", time(job.runAt()));
        body.put("createdAt", time(job.createdAt()));
        body.put("updatedAt", time(job.updatedAt()));
        body.put("completedAt", time(job.completedAt()));
        // Issue 22: whose turn the job waits for, its priority, and what its attempts cost in all (null when the
        // queue keeps no users or costs).
        body.put("userId", job.user());
        body.put("priority", job.priority());
        body.put("costUsd", dollars(job.costUsd()));
        body.put("maxCostUsd", dollars(job.maxCostUsd()));
        body.put(
                "result",
                job.result() == null ? null : Map.of("message", job.result().message()));
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", "/api/jobs/" + job.id());
        links.put("docs", "/api/jobs/" + job.id() + "/docs");
        links.put("course", "/ui/jobs/" + job.id());
        body.put("links", links);
        return body;
    }

    static List<Map<String, Object>> jobs(List<JobSnapshot> jobs) {
        return jobs.stream().map(JobJson::job).toList();
    }

    static Map<String, Object> document(Document document) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slug", document.slug());
        body.put("title", document.title());
        body.put("kind", document.kind().wireName());
        body.put("chapterIndex", document.chapterIndex());
        body.put("content", document.content());
        return body;
    }

    static String repository(CloneSource source) {
        return source.url() != null ? source.url() : source.fullName();
    }

    private static Map<String, Object> progress(Progress progress) {
        if (progress == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("step", progress.step());
        body.put("totalSteps", progress.totalSteps());
        body.put("message", progress.message());
        return body;
    }

    /** A micro-dollar amount as a plain JSON number ({@code 0.25}, not {@code 0.250000}), or null. */
    private static Double dollars(java.math.BigDecimal usd) {
        return usd == null ? null : usd.doubleValue();
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
