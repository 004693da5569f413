package io.fondation.convexqueue.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A Convex function failed: it threw, its arguments did not validate, or it does not exist. The
 * deployment answered {@code {"status":"error"}} (with HTTP 200 or 560). Retrying the same call
 * gives the same answer, so it is never retried automatically.
 *
 * <p>Machine-readable errors come from functions that throw {@code ConvexError(data)}: read
 * {@link #errorData()} (for example {@code {code: "UNAUTHORIZED", message: "..."}}) rather than
 * the message, which production deployments redact.
 */
public class ConvexFunctionException extends ConvexException {

    private static final long serialVersionUID = 1L;

    private final String functionPath;
    private final String errorMessage;
    private final transient JsonNode errorData;

    /**
     * @param functionPath the function called, e.g. {@code queue:claimOne}
     * @param errorMessage the deployment's {@code errorMessage}, secrets already removed
     * @param errorData the decoded {@code errorData}, or {@code null} when the function did not throw a ConvexError
     */
    public ConvexFunctionException(String functionPath, String errorMessage, JsonNode errorData) {
        super("Convex function " + functionPath + " failed: " + errorMessage
                + (errorData == null ? "" : " " + errorData));
        this.functionPath = functionPath;
        this.errorMessage = errorMessage == null ? "" : errorMessage;
        this.errorData = errorData;
    }

    /** The function that failed, e.g. {@code queue:claimOne}. */
    public String functionPath() {
        return functionPath;
    }

    /** The deployment's error message (secret argument values replaced by {@code [redacted]}). */
    public String errorMessage() {
        return errorMessage;
    }

    /** The data of the {@code ConvexError} the function threw, decoded, or {@code null}. */
    public JsonNode errorData() {
        return errorData;
    }

    /** The {@code code} field of {@link #errorData()} when it is an object with a text code. */
    public Optional<String> errorCode() {
        if (errorData != null && errorData.path("code").isTextual()) {
            return Optional.of(errorData.get("code").asText());
        }
        return Optional.empty();
    }

    /**
     * The most specific reason given: the {@code message} field of {@link #errorData()} when the
     * function threw a {@code ConvexError} with one, else {@link #errorMessage()}.
     */
    public String reason() {
        return errorData != null && errorData.path("message").isTextual()
                ? errorData.get("message").asText()
                : errorMessage;
    }

    /**
     * Whether the deployment has no public function at this path. Convex reports this as a
     * function error whose message starts with {@code Could not find public function}.
     */
    public boolean isUnknownFunction() {
        return errorData == null && errorMessage.contains("Could not find public function");
    }
}
