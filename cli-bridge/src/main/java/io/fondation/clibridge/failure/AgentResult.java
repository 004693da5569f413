package io.fondation.clibridge.failure;

/**
 * What an agent CLI said about its own run in its final report (Claude Code's {@code result} event),
 * as far as classifying a failure needs it.
 *
 * <p>why an interface here: the classifier must not depend on an analyzer's package (that made a cycle
 * with {@code clibridge.claude}, which uses {@link SecretRedactor}); {@code ClaudeRunSummary} implements it.
 */
public interface AgentResult {

    /** Whether the agent reported a failure: an error flag, an error subtype, an API error ... */
    boolean failed();

    /** What it said: its result text, or on failures the error message; may be null. */
    String resultText();

    /** The HTTP status of the API call that failed, or null. */
    Integer apiErrorStatus();

    /** The kind of API error it named ({@code authentication_failed}, {@code rate_limit} ...), or null. */
    String apiErrorKind();

    /** Why the run ended ({@code completed}, {@code api_error}, {@code prompt_too_long}, {@code max_turns} ...), or null. */
    String terminalReason();

    /** The result's subtype ({@code success}, {@code error_max_turns}, {@code error_max_budget_usd} ...), or null. */
    String subtype();
}
