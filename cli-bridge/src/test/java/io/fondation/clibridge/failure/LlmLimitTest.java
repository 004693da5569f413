package io.fondation.clibridge.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.claude.StreamJsonParser;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Rate limits and overloads told apart from other failures, with the API's retry-after where it shows: Claude Code's
 * stream-json as the real CLI printed it (fixtures captured from Claude Code 2.1.332 against an API answering 429 or
 * 529, with and without {@code retry-after}, {@code CLAUDE_CODE_MAX_RETRIES=1}), read by the real parser, and the
 * Fondation CLI's stderr.
 */
class LlmLimitTest {

    private static final String FONDATION_STDOUT =
            "{\"level\":\"info\",\"time\":1735600000100,\"context\":\"analyze\",\"msg\":\"[FONDATION_STEP_1/6] Extracting core abstractions from codebase\"}\n"
                    + "{\"level\":\"error\",\"time\":1735600004000,\"context\":\"analyze\",\"msg\":\"Analysis failed\"}\n";

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final FailureClassifier classifier =
            new FailureClassifier(FailureClassifier.DEFAULT_RATE_LIMIT_DELAY, clock);

    private static ProcessOutcome exit(int code, String stdout, String stderr) {
        return new ProcessOutcome(code, null, Duration.ofSeconds(7), false, false, stdout, stderr);
    }

    private FailureClassifier.Classification claude(String resource) {
        StreamJsonParser parser = new StreamJsonParser();
        String stdout = Fixtures.text(resource);
        stdout.lines().forEach(parser::accept);
        return classifier.classifyRun(exit(1, stdout, ""), 0, parser.summary(), parser.lastLimitRetry(), null);
    }

    private FailureClassifier.Classification fondation(String stderr) {
        return classifier.classifyRun(exit(1, FONDATION_STDOUT, stderr), 0, Optional.empty(), Optional.empty(), null);
    }

    @Test
    void a429WithRetryAfterIsARateLimitThatCarriesTheWait() {
        // The API said retry-after: 5; Claude Code waited 5750 ms (the wait plus its jitter) before its one retry.
        FailureClassifier.Classification run = claude("/claude/rate-limit-retry-after.ndjson");

        LlmLimit limit = run.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(limit.kind().wireName()).isEqualTo("rate_limit");
        assertThat(limit.retryAfter()).contains(Duration.ofMillis(5750));
        assertThat(limit.evidence()).contains("Request rejected (429)").contains("api_retry attempt 1");
        JobFailure failure = run.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        // Shorter than the least delay: the least delay stands.
        assertThat(failure.minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_RATE_LIMIT_DELAY);
        assertThat(failure.message()).contains("the API asked to wait 5 s");
    }

    @Test
    void a429WithoutRetryAfterIsARateLimitWithoutAWait() {
        // Claude Code's own backoff (525 ms before retry 1) is not the API's wait.
        FailureClassifier.Classification run = claude("/claude/rate-limit-cli-backoff.ndjson");

        LlmLimit limit = run.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(limit.retryAfter()).isEmpty();
        assertThat(run.failure().orElseThrow().minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_RATE_LIMIT_DELAY);
    }

    @Test
    void a529IsAnOverloadWithItsRetryAfter() {
        FailureClassifier.Classification run = claude("/claude/overloaded-retry-after.ndjson");

        LlmLimit limit = run.llmLimit().orElseThrow();
        assertThat(limit.kind()).isEqualTo(LlmLimit.Kind.OVERLOADED);
        assertThat(limit.kind().wireName()).isEqualTo("overloaded");
        assertThat(limit.retryAfter()).contains(Duration.ofMillis(3071));
        assertThat(run.failure().orElseThrow().kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(run.failure().orElseThrow().minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_OVERLOAD_DELAY);
    }

    @Test
    void theHandWrittenFixturesOfEarlierVersionsStillReadAsLimits() {
        assertThat(claude("/claude/rate-limit.ndjson").llmLimit())
                .get()
                .extracting(LlmLimit::kind)
                .isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(claude("/claude/overloaded.ndjson").llmLimit())
                .get()
                .extracting(LlmLimit::kind)
                .isEqualTo(LlmLimit.Kind.OVERLOADED);
    }

    @Test
    void aRetryAfterLongerThanTheLeastDelayBecomesTheLeastDelay() {
        FailureClassifier.Classification run = fondation("Error: Claude Code process exited with code 1\n"
                + "API Error: Request rejected (429) · rate limited; retry-after: 300\n");

        assertThat(run.llmLimit().orElseThrow().retryAfter()).contains(Duration.ofMinutes(5));
        assertThat(run.failure().orElseThrow().minRetryDelay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theFondationCliStderrIsReadTheSameWay() {
        FailureClassifier.Classification limited = fondation(
                "API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed the rate limit for your organization of 40,000 input tokens per minute.\"}}\n");
        assertThat(limited.llmLimit()).get().extracting(LlmLimit::kind).isEqualTo(LlmLimit.Kind.RATE_LIMIT);
        assertThat(limited.llmLimit().orElseThrow().retryAfter()).isEmpty();

        FailureClassifier.Classification overloaded = fondation(
                "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n");
        assertThat(overloaded.llmLimit()).get().extracting(LlmLimit::kind).isEqualTo(LlmLimit.Kind.OVERLOADED);
    }

    @Test
    void aUsageLimitWaitsUntilItsReset() {
        long reset = Instant.parse("2026-01-01T03:00:00Z").getEpochSecond();
        FailureClassifier.Classification run = fondation("Claude AI usage limit reached|" + reset + "\n");

        assertThat(run.llmLimit().orElseThrow().retryAfter()).contains(Duration.ofHours(3));
        assertThat(run.failure().orElseThrow().minRetryDelay()).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void otherFailuresAndSuccessesAreNoLimit() {
        assertThat(claude("/claude/auth-error.ndjson").llmLimit()).isEmpty();
        assertThat(claude("/claude/max-turns.ndjson").llmLimit()).isEmpty();
        assertThat(fondation("API Error: 500 Internal server error\n").llmLimit())
                .isEmpty();
        assertThat(fondation("TypeError: x is undefined\n").llmLimit()).isEmpty();
        StreamJsonParser parser = new StreamJsonParser();
        Fixtures.text("/claude/success.ndjson").lines().forEach(parser::accept);
        // The model's own text talks about rate limits and 429: a success is a success.
        FailureClassifier.Classification success = classifier.classifyRun(
                exit(0, Fixtures.text("/claude/success.ndjson"), ""),
                1,
                parser.summary(),
                parser.lastLimitRetry(),
                null);
        assertThat(success.failure()).isEmpty();
        assertThat(success.llmLimit()).isEmpty();
    }

    @Test
    void theCliOwnBackoffIsToldFromTheApisWait() {
        // Claude Code 2.1.332 waits 500 ms × 2^(attempt-1), plus up to 25 %, when the API names no wait.
        assertThat(FailureClassifier.ownBackoffCeilingMs(1)).isEqualTo(625);
        assertThat(FailureClassifier.ownBackoffCeilingMs(4)).isEqualTo(5000);
        assertThat(FailureClassifier.retryAfter(Optional.of(new ApiRetryNotice(4, 4318L, 429, "rate_limit"))))
                .isEmpty();
        assertThat(FailureClassifier.retryAfter(Optional.of(new ApiRetryNotice(1, 624L, 429, "rate_limit"))))
                .isEmpty();
        assertThat(FailureClassifier.retryAfter(Optional.of(new ApiRetryNotice(1, 23_233L, 429, "rate_limit"))))
                .contains(Duration.ofMillis(23_233));
        assertThat(FailureClassifier.retryAfter(Optional.of(new ApiRetryNotice(1, null, 429, "rate_limit"))))
                .isEmpty();
    }
}
