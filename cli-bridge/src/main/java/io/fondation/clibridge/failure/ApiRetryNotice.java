package io.fondation.clibridge.failure;

/**
 * An agent CLI's notice that an API request failed and will be retried after a delay: Claude Code's stream-json
 * {@code {"type":"system","subtype":"api_retry","attempt":n,"max_retries":m,"retry_delay_ms":..,"error_status":..,
 * "error":..}}.
 *
 * <p>why in this package: the classifier reads it, and must not depend on an analyzer's package (see
 * {@link AgentResult}).
 *
 * @param attempt which retry this is, from 1
 * @param retryDelayMs how long the CLI waits before it, in milliseconds, or null when it did not say
 * @param errorStatus the HTTP status of the failed request ({@code 429}, {@code 529} ...), or null
 * @param error the CLI's name for the error ({@code rate_limit}, {@code overloaded}, {@code server_error} ...), or
 *     null
 */
public record ApiRetryNotice(int attempt, Long retryDelayMs, Integer errorStatus, String error) {

    /** Whether the failed request met a rate limit (429). */
    public boolean rateLimited() {
        return Integer.valueOf(429).equals(errorStatus) || "rate_limit".equals(error);
    }

    /** Whether the failed request met an overload (529). */
    public boolean overloaded() {
        return Integer.valueOf(529).equals(errorStatus) || "overloaded".equals(error);
    }
}
