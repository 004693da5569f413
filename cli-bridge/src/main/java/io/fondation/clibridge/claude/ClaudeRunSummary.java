package io.fondation.clibridge.claude;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a headless Claude Code run reported in its final {@code result} event (and its init event).
 *
 * @param sessionId the session id
 * @param numTurns the number of turns
 * @param totalCostUsd the cost the CLI computed
 * @param inputTokens input tokens (not counting cache reads and writes)
 * @param outputTokens output tokens
 * @param isError the result's {@code is_error}
 * @param subtype {@code success}, {@code error_max_turns}, {@code error_during_execution} ...
 * @param resultText the result text (on errors, the error message)
 * @param apiErrorStatus the HTTP status of a failed API call, if any
 * @param terminalReason {@code completed}, {@code api_error}, {@code prompt_too_long} ...
 */
public record ClaudeRunSummary(
        String sessionId,
        Integer numTurns,
        Double totalCostUsd,
        Long inputTokens,
        Long outputTokens,
        boolean isError,
        String subtype,
        String resultText,
        Integer apiErrorStatus,
        String terminalReason) {

    public static final String SESSION_ID = "claude_session_id";
    public static final String NUM_TURNS = "claude_num_turns";
    public static final String TOTAL_COST_USD = "claude_total_cost_usd";
    public static final String INPUT_TOKENS = "claude_input_tokens";
    public static final String OUTPUT_TOKENS = "claude_output_tokens";
    public static final String IS_ERROR = "claude_is_error";
    public static final String SUBTYPE = "claude_subtype";
    public static final String API_ERROR_STATUS = "claude_api_error_status";
    public static final String TERMINAL_REASON = "claude_terminal_reason";

    /** Whether the run failed: {@code is_error}, an error subtype or an API error. */
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
        put(details, NUM_TURNS, numTurns);
        put(details, TOTAL_COST_USD, totalCostUsd);
        put(details, INPUT_TOKENS, inputTokens);
        put(details, OUTPUT_TOKENS, outputTokens);
        details.put(IS_ERROR, isError);
        put(details, SUBTYPE, subtype);
        put(details, API_ERROR_STATUS, apiErrorStatus);
        put(details, TERMINAL_REASON, terminalReason);
        return details;
    }

    private static void put(Map<String, Object> details, String key, Object value) {
        if (value != null) {
            details.put(key, value);
        }
    }
}
