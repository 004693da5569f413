package io.fondation.clibridge.claude;

import io.fondation.clibridge.failure.AgentResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a headless Claude Code run reported in its final {@code result} event (and its init event).
 * Absent values are null.
 *
 * @param sessionId the session id
 * @param model the model named by the init event
 * @param numTurns the number of turns
 * @param durationMs the run's wall-clock time as the CLI measured it
 * @param durationApiMs the time spent waiting for the API
 * @param usage cost and tokens
 * @param isError the result's {@code is_error}
 * @param subtype {@code success}, {@code error_max_turns}, {@code error_max_budget_usd}, {@code error_during_execution} ...
 *     (on API errors it stays {@code success}: look at {@code isError}, {@code apiErrorStatus}, {@code terminalReason})
 * @param resultText the result text; on errors the error message (or the CLI's {@code errors} list)
 * @param apiErrorStatus the HTTP status of a failed API call
 * @param apiErrorKind the error the CLI named on its API-error message ({@code authentication_failed},
 *     {@code rate_limit}, {@code server_error}, {@code invalid_request}, {@code unknown})
 * @param terminalReason {@code completed}, {@code api_error}, {@code prompt_too_long}, {@code max_turns},
 *     {@code budget_exhausted} ...
 * @param permissionDenials how many tool calls the CLI's permission rules refused
 */
public record ClaudeRunSummary(
        String sessionId,
        String model,
        Integer numTurns,
        Long durationMs,
        Long durationApiMs,
        ClaudeUsage usage,
        boolean isError,
        String subtype,
        String resultText,
        Integer apiErrorStatus,
        String apiErrorKind,
        String terminalReason,
        int permissionDenials)
        implements AgentResult {

    /** Keys of {@link #toDetails()}, for {@code AnalysisReport.details()} and the worker's metrics. */
    public static final String SESSION_ID = "claude_session_id";

    public static final String MODEL = "claude_model";
    public static final String NUM_TURNS = "claude_num_turns";
    public static final String DURATION_MS = "claude_duration_ms";
    public static final String DURATION_API_MS = "claude_duration_api_ms";
    public static final String TOTAL_COST_USD = "claude_total_cost_usd";
    public static final String INPUT_TOKENS = "claude_input_tokens";
    public static final String OUTPUT_TOKENS = "claude_output_tokens";
    public static final String CACHE_READ_INPUT_TOKENS = "claude_cache_read_input_tokens";
    public static final String CACHE_CREATION_INPUT_TOKENS = "claude_cache_creation_input_tokens";
    public static final String IS_ERROR = "claude_is_error";
    public static final String SUBTYPE = "claude_subtype";
    public static final String API_ERROR_STATUS = "claude_api_error_status";
    public static final String API_ERROR_KIND = "claude_api_error_kind";
    public static final String TERMINAL_REASON = "claude_terminal_reason";
    public static final String PERMISSION_DENIALS = "claude_permission_denials";

    public ClaudeRunSummary {
        usage = Objects.requireNonNullElse(usage, ClaudeUsage.UNKNOWN);
    }

    /** Whether the run failed: {@code is_error}, an error subtype or an API error. */
    @Override
    public boolean failed() {
        return isError
                || (subtype != null && subtype.startsWith("error"))
                || (terminalReason != null && !terminalReason.equals("completed"))
                || apiErrorStatus != null;
    }

    /**
     * The facts worth keeping on the job result and in metrics (keys are the constants of this
     * class; absent values are left out). The result text is not included: it may be long.
     */
    public Map<String, Object> toDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        put(details, SESSION_ID, sessionId);
        put(details, MODEL, model);
        put(details, NUM_TURNS, numTurns);
        put(details, DURATION_MS, durationMs);
        put(details, DURATION_API_MS, durationApiMs);
        put(details, TOTAL_COST_USD, usage.totalCostUsd());
        put(details, INPUT_TOKENS, usage.inputTokens());
        put(details, OUTPUT_TOKENS, usage.outputTokens());
        put(details, CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens());
        put(details, CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens());
        details.put(IS_ERROR, isError);
        put(details, SUBTYPE, subtype);
        put(details, API_ERROR_STATUS, apiErrorStatus);
        put(details, API_ERROR_KIND, apiErrorKind);
        put(details, TERMINAL_REASON, terminalReason);
        details.put(PERMISSION_DENIALS, permissionDenials);
        return details;
    }

    private static void put(Map<String, Object> details, String key, Object value) {
        if (value != null) {
            details.put(key, value);
        }
    }
}
