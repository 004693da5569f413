package io.fondation.shared;

import java.util.Map;

/**
 * The outcome of a successful job.
 *
 * @param message a one-line summary
 * @param documentCount how many documents were stored
 * @param details analyzer facts worth keeping (session id, turns, cost, token usage ...);
 *     values are strings, numbers or booleans
 */
public record JobResult(String message, int documentCount, Map<String, Object> details) {

    public JobResult {
        message = message == null ? "" : message;
        details = details == null ? Map.of() : Map.copyOf(details);
        if (documentCount < 0) {
            throw new IllegalArgumentException("documentCount must not be negative");
        }
    }

    public static JobResult of(String message, int documentCount) {
        return new JobResult(message, documentCount, Map.of());
    }
}
