package io.fondation.clibridge.claude;

/**
 * What a headless Claude Code run consumed, from its {@code result} event; absent values are null.
 *
 * @param totalCostUsd the cost the CLI computed from its price list
 * @param inputTokens input tokens, not counting cache reads and writes
 * @param outputTokens output tokens
 * @param cacheReadInputTokens input tokens read from the prompt cache
 * @param cacheCreationInputTokens input tokens written to the prompt cache
 */
public record ClaudeUsage(
        Double totalCostUsd,
        Long inputTokens,
        Long outputTokens,
        Long cacheReadInputTokens,
        Long cacheCreationInputTokens) {

    /** Nothing known. */
    public static final ClaudeUsage UNKNOWN = new ClaudeUsage(null, null, null, null, null);
}
