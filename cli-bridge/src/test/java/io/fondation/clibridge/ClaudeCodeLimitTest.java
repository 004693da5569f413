package io.fondation.clibridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.failure.LlmLimit;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.shared.FailureKind;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI, in the sandbox, against a scripted API that answers 429 or 529 with or without
 * {@code retry-after}: the run fails as an LLM limit of the right kind, carrying the API's wait when it gave one, and
 * says what it cost. With one CLI retry ({@code CLAUDE_CODE_MAX_RETRIES=1}, the worker's default) the wait shows in
 * the CLI's {@code api_retry} event.
 */
class ClaudeCodeLimitTest {

    @TempDir
    Path dir;

    ClaudeCodeWorkspace workspace;
    ScriptedMessagesApi api;

    @BeforeEach
    void setUp() throws Exception {
        workspace = new ClaudeCodeWorkspace(dir);
    }

    @AfterEach
    void tearDown() {
        workspace.close();
    }

    @Test
    void a429WithRetryAfterIsARateLimitCarryingTheApisWait() throws Exception {
        api = workspace.serve(Scenario.status(429, "rate_limit_error", "FAKE rate limit", Map.of("retry-after", "3")));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).maxRetries(1), null);

        assertThat(report.failure().orElseThrow().kind()).isEqualTo(FailureKind.RATE_LIMITED);
        LlmLimit limit = report.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        // The CLI waits the API's 3 s plus up to 25 % before its retry, and says so.
        assertThat(limit.retryAfter())
                .get()
                .satisfies(wait -> assertThat(wait).isBetween(Duration.ofSeconds(3), Duration.ofMillis(3_800)));
        assertThat(api.messageRequests()).hasSize(2);
        assertThat(report.costUsd()).get().satisfies(cost -> assertThat(cost).isEqualByComparingTo(BigDecimal.ZERO));
    }

    @Test
    void a429WithoutRetryAfterIsARateLimitWithoutAWait() throws Exception {
        api = workspace.serve(Scenario.status(429, "rate_limit_error", "FAKE rate limit"));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).maxRetries(1), null);

        LlmLimit limit = report.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(limit.retryAfter())
                .as("the CLI's own backoff is not the API's wait")
                .isEmpty();
        assertThat(api.messageRequests()).hasSize(2);
    }

    @Test
    void withoutCliRetriesTheLimitIsStillToldButItsWaitIsNotKnown() throws Exception {
        api = workspace.serve(Scenario.status(429, "rate_limit_error", "FAKE rate limit", Map.of("retry-after", "3")));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).maxRetries(0), null);

        assertThat(report.llmLimit()).get().extracting(LlmLimit::kind).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(report.llmLimit().orElseThrow().retryAfter()).isEmpty();
        assertThat(api.messageRequests()).hasSize(1);
    }

    @Test
    void a529WithRetryAfterIsAnOverloadCarryingTheApisWait() throws Exception {
        api = workspace.serve(Scenario.status(529, "overloaded_error", "FAKE overloaded", Map.of("retry-after", "2")));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).maxRetries(1), null);

        assertThat(report.failure().orElseThrow().kind()).isEqualTo(FailureKind.RATE_LIMITED);
        LlmLimit limit = report.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.OVERLOADED);
        assertThat(limit.retryAfter())
                .get()
                .satisfies(wait -> assertThat(wait).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2_600)));
    }

    @Test
    void otherApiErrorsAreNoLimit() throws Exception {
        api = workspace.serve(Scenario.status(500, "api_error", "FAKE outage"));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()).maxRetries(0), null);

        assertThat(report.failure().orElseThrow().kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(report.llmLimit()).isEmpty();
    }
}
