package io.fondation.http.callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.Document;
import io.fondation.shared.Progress;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the existing system's webhook callbacks (fondation-system.md §3), each with the job id and
 * a timestamp (ISO-8601):
 * <ul>
 *   <li>{@code {jobId, type:"progress", status, message, step, totalSteps, timestamp}};
 *   <li>{@code {jobId, type:"complete", status:"success", duration, filesCount, files:[{path, content, type, size}],
 *       timestamp}} — {@code duration} in ms, {@code path} the document's slug, {@code type} its kind
 *       ({@code chapter}, {@code tutorial}, {@code yaml}, {@code toc}), {@code size} its UTF-8 bytes;
 *   <li>{@code {jobId, type:"error", status:"failed", error, timestamp}}.
 * </ul>
 */
public final class CallbackBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CallbackBodies() {}

    /** A progress callback; {@code status} is the job's phase ({@code cloning}, {@code analyzing} ...). */
    public static byte[] progress(String jobId, String status, Progress progress, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("type", "progress");
        body.put("status", status);
        body.put("message", progress.message());
        body.put("step", progress.step());
        body.put("totalSteps", progress.totalSteps());
        body.put("timestamp", now.toString());
        return bytes(body);
    }

    /** The complete callback, with every document as a file. */
    public static byte[] complete(String jobId, Duration duration, List<Document> documents, Instant now) {
        List<Map<String, Object>> files = new ArrayList<>();
        for (Document document : documents) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", document.slug());
            file.put("content", document.content());
            file.put("type", document.kind().wireName());
            file.put("size", document.contentBytes());
            files.add(file);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("type", "complete");
        body.put("status", "success");
        body.put("duration", duration.toMillis());
        body.put("filesCount", files.size());
        body.put("files", files);
        body.put("timestamp", now.toString());
        return bytes(body);
    }

    /** An error callback. */
    public static byte[] error(String jobId, String error, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("type", "error");
        body.put("status", "failed");
        body.put("error", error);
        body.put("timestamp", now.toString());
        return bytes(body);
    }

    private static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
