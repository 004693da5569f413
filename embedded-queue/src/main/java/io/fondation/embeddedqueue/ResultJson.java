package io.fondation.embeddedqueue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link JobResult} as the JSON stored in the {@code result} column, shaped like the Convex
 * {@code result} field: {@code {"success":true,"message":..,"documentCount":..,"data":{..}}}.
 */
final class ResultJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private ResultJson() {}

    static String write(JobResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("success", true);
        json.put("message", result.message());
        json.put("documentCount", result.documentCount());
        json.put("data", result.details());
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new JobQueueException.Rejected("the job result cannot be stored as JSON: " + e.getOriginalMessage());
        }
    }

    static JobResult read(String text) {
        if (text == null) {
            return null;
        }
        try {
            Map<String, Object> json = MAPPER.readValue(text, MAP);
            Object message = json.get("message");
            Object count = json.get("documentCount");
            Object data = json.get("data");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = data instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
            return new JobResult(
                    message == null ? "" : message.toString(),
                    count instanceof Number number ? number.intValue() : 0,
                    withoutNulls(details));
        } catch (JsonProcessingException e) {
            throw new JobQueueException("a stored job result is not valid JSON: " + e.getOriginalMessage(), false, e);
        }
    }

    // Map.copyOf in JobResult refuses null values, which JSON may hold.
    private static Map<String, Object> withoutNulls(Map<String, Object> details) {
        Map<String, Object> clean = new LinkedHashMap<>();
        details.forEach((key, value) -> {
            if (key != null && value != null) {
                clean.put(key, value);
            }
        });
        return clean;
    }
}
