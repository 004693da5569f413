package io.fondation.clibridge.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.claude.StreamJsonParser;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Realistic outputs of the Fondation CLI and of Claude Code, one per failure class. */
class FailureClassifierTest {

    private static final String FONDATION_STDOUT =
            "{\"level\":\"info\",\"time\":1735600000000,\"context\":\"analyze\",\"msg\":\"Starting analysis of /tmp/job/repo\"}\n"
                    + "{\"level\":\"info\",\"time\":1735600000100,\"context\":\"analyze\",\"msg\":\"[FONDATION_STEP_1/6] Extracting core abstractions from codebase\"}\n"
                    + "{\"level\":\"error\",\"time\":1735600004000,\"context\":\"analyze\",\"msg\":\"Analysis failed\"}\n";

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final FailureClassifier classifier =
            new FailureClassifier(FailureClassifier.DEFAULT_RATE_LIMIT_DELAY, clock);

    private static ProcessOutcome exit(int code, String stdout, String stderr) {
        return new ProcessOutcome(code, null, Duration.ofSeconds(42), false, false, stdout, stderr);
    }

    private JobFailure fondation(int code, String stderr) {
        return classifier
                .classify(exit(code, FONDATION_STDOUT, stderr), 0, Optional.empty())
                .orElseThrow();
    }

    private JobFailure claude(String resource, int code) {
        StreamJsonParser parser = new StreamJsonParser();
        String stdout = Fixtures.text(resource);
        stdout.lines().forEach(parser::accept);
        return classifier.classify(exit(code, stdout, ""), 0, parser.summary()).orElseThrow();
    }

    @Test
    void successNeedsExitZeroAndDocuments() {
        assertThat(classifier.classify(exit(0, "", ""), 3, Optional.empty())).isEmpty();
        StreamJsonParser parser = new StreamJsonParser();
        Fixtures.text("/claude/success.ndjson").lines().forEach(parser::accept);
        // The model's own text mentions "rate limits" and "429": a successful result is still a success.
        assertThat(classifier.classify(exit(0, Fixtures.text("/claude/success.ndjson"), ""), 1, parser.summary()))
                .isEmpty();
    }

    @Test
    void exitZeroWithoutDocumentsIsAFailure() {
        JobFailure failure = classifier
                .classify(exit(0, "{\"level\":\"info\",\"msg\":\"done\"}\n", ""), 0, Optional.empty())
                .orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(failure.message()).startsWith("analyzer exited 0 but produced no documents");
    }

    @Test
    void invalidApiKeyIsAnAuthenticationFailureThatIsNotRetried() {
        JobFailure failure = fondation(
                1,
                "Error: Claude Code process exited with code 1\n"
                        + "    at ChildProcess.<anonymous> (file:///app/cli/dist/cli.bundled.mjs:4021:19)\n"
                        + "Invalid API key · Please run /login\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.message())
                .contains("Claude authentication failed (Invalid API key · Please run /login)")
                .contains("CLAUDE_CODE_OAUTH_TOKEN")
                .contains("/login")
                .contains("--- last stderr lines ---");
    }

    @Test
    void expiredOauthTokenIsAnAuthenticationFailure() {
        JobFailure failure = fondation(
                1,
                "API Error: 401 {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                        + "\"message\":\"OAuth token has expired. Please obtain a new token or refresh your existing token.\"},"
                        + "\"request_id\":\"req_011CTest\"}\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.message()).contains("OAuth token has expired");
    }

    @Test
    void claudeStreamJsonAuthErrorIsAnAuthenticationFailure() {
        JobFailure failure = claude("/claude/auth-error.ndjson", 1);
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.message()).contains("Invalid API key").contains("--- Claude Code result ---");
    }

    @Test
    void rateLimitIsRetriedLater() {
        JobFailure failure = fondation(
                1,
                "API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                        + "\"message\":\"This request would exceed the rate limit for your organization of 40,000 input tokens per minute.\"}}\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.minRetryDelay()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void claudeRateLimitAndOverloadAreRetriedLater() {
        JobFailure limited = claude("/claude/rate-limit.ndjson", 1);
        assertThat(limited.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(limited.minRetryDelay()).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
        JobFailure overloaded = claude("/claude/overloaded.ndjson", 1);
        assertThat(overloaded.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(overloaded.message()).contains("529 Overloaded");
    }

    @Test
    void overloadOnStderrIsRateLimited() {
        JobFailure failure = fondation(
                1,
                "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
    }

    @Test
    void usageLimitWaitsUntilTheReset() {
        long reset = Instant.parse("2026-01-01T03:00:00Z").getEpochSecond();
        JobFailure failure = fondation(1, "Claude AI usage limit reached|" + reset + "\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failure.minRetryDelay()).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void timeoutIsRetryableAndCancelIsNot() {
        JobFailure timeout = classifier
                .classify(
                        new ProcessOutcome(
                                -1,
                                9,
                                Duration.ofHours(1),
                                true,
                                false,
                                FONDATION_STDOUT,
                                "still generating chapter 7\n"),
                        3,
                        Optional.empty())
                .orElseThrow();
        assertThat(timeout.kind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(timeout.retryable()).isTrue();
        assertThat(timeout.message())
                .startsWith("analyzer ran past its time limit; its process tree was terminated")
                .endsWith("still generating chapter 7");
        JobFailure canceled = classifier
                .classify(new ProcessOutcome(-1, 15, Duration.ofSeconds(3), false, true, "", ""), 2, Optional.empty())
                .orElseThrow();
        assertThat(canceled.kind()).isEqualTo(FailureKind.CANCELED);
        assertThat(canceled.retryable()).isFalse();
    }

    @Test
    void aTimeoutSpentFailingToAuthenticateIsAnAuthenticationFailure() {
        JobFailure failure = classifier
                .classify(
                        new ProcessOutcome(
                                -1,
                                9,
                                Duration.ofMinutes(30),
                                true,
                                false,
                                "",
                                "API Error: 401 {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\"}} · Retrying in 32 seconds…\n"),
                        0,
                        Optional.empty())
                .orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.message()).startsWith("analyzer timed out after 30 min while failing to authenticate");
    }

    @Test
    void missingCliIsAConfigurationError() {
        JobFailure failure = fondation(
                1,
                "node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\n"
                        + "Error: Cannot find module '/app/fondation/dist/cli.bundled.mjs'\n"
                        + "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n"
                        + "  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n\nNode.js v20.11.1\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.message()).contains("Cannot find module").contains("CLI_PATH");
        JobFailure notFound = fondation(127, "/usr/bin/env: 'bun': No such file or directory\n");
        assertThat(notFound.kind()).isEqualTo(FailureKind.CONFIGURATION);
        JobFailure notExecutable = fondation(126, "cli: Permission denied\n");
        assertThat(notExecutable.kind()).isEqualTo(FailureKind.CONFIGURATION);
        // Inside a containment the wrapper reports it, with exit code 1.
        JobFailure contained = fondation(1, "bwrap: execvp /opt/claude/bin/claude: No such file or directory\n");
        assertThat(contained.kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(contained.message()).contains("bwrap: execvp /opt/claude/bin/claude");
    }

    @Test
    void serverAndNetworkErrorsAreTransient() {
        assertThat(fondation(
                                1,
                                "API Error: 500 {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n")
                        .kind())
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(fondation(1, "API Error: Connection error. (ECONNREFUSED)\n").kind())
                .isEqualTo(FailureKind.TRANSIENT);
        JobFailure killed = classifier
                .classify(
                        new ProcessOutcome(-1, 9, Duration.ofMinutes(3), false, false, FONDATION_STDOUT, ""),
                        0,
                        Optional.empty())
                .orElseThrow();
        assertThat(killed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(killed.message()).contains("signal 9");
    }

    @Test
    void promptTooLongIsInvalidInput() {
        assertThat(fondation(1, "Prompt is too long · 212000 tokens > 200000 maximum\n")
                        .kind())
                .isEqualTo(FailureKind.INVALID_INPUT);
    }

    @Test
    void theTurnLimitIsAJobFaultThatSaysWhatToDo() {
        JobFailure failure = claude("/claude/max-turns.ndjson", 1);
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.kind().isWorkerFault()).isFalse();
        assertThat(failure.message())
                .startsWith("the analyzer reached its turn limit before finishing")
                .contains("raise the limit");
        // Exit 0 does not hide an error result.
        StreamJsonParser parser = new StreamJsonParser();
        Fixtures.text("/claude/max-turns.ndjson").lines().forEach(parser::accept);
        assertThat(classifier.classify(exit(0, "", ""), 5, parser.summary()))
                .get()
                .extracting(JobFailure::kind)
                .isEqualTo(FailureKind.INVALID_INPUT);
    }

    @Test
    void theCostLimitIsAJobFaultThatSaysWhatToDo() {
        JobFailure failure =
                reported(agent("error_max_budget_usd", "Reached maximum budget ($5)", null, null, "budget_exhausted"));
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message())
                .startsWith("the analyzer reached its cost limit before finishing")
                .contains("Reached maximum budget ($5)");
    }

    @Test
    void otherClaudeErrorSubtypesAreAnalyzerFailures() {
        JobFailure failure = reported(agent("error_during_execution", null, null, null, null));
        assertThat(failure.kind()).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(failure.message()).contains("error_during_execution");
    }

    @Test
    void aRejectedCredentialSpeaksToTheOperatorAndPromisesNothingAboutTheJob() {
        JobFailure failure = reported(agent(
                "success",
                "Failed to authenticate. API Error: 401 invalid",
                401,
                "authentication_failed",
                "api_error"));
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.kind().isWorkerFault()).isTrue();
        assertThat(failure.message())
                .contains("An operator must renew the Claude credential")
                .contains("CLAUDE_CODE_OAUTH_TOKEN")
                .contains("ANTHROPIC_API_KEY")
                .doesNotContain("not retried");
        // The CLI's own word is enough even without a status.
        assertThat(reported(agent("success", "Failed", null, "authentication_failed", "api_error"))
                        .kind())
                .isEqualTo(FailureKind.AUTHENTICATION);
    }

    @Test
    void apiOutagesWaitLongerThanTheBackoffAndOverloadsLongerStill() {
        JobFailure overloaded = reported(
                agent("success", "API Error: Repeated 529 Overloaded errors.", 529, "server_error", "api_error"));
        assertThat(overloaded.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(overloaded.minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_OVERLOAD_DELAY);
        for (AgentResult unavailable : new AgentResult[] {
            agent("success", "API Error: 500 scripted. This is a server-side issue", 500, "server_error", "api_error"),
            agent("success", "API Error: Connection refused (ECONNREFUSED)", null, "server_error", "api_error"),
            agent("success", "Request timed out. set API_TIMEOUT_MS above 3000.", null, "server_error", "api_error"),
            agent("success", "API Error: API returned an empty or malformed response", null, "unknown", "api_error"),
            agent("success", "something new the CLI says", null, null, "api_error")
        }) {
            JobFailure failure = reported(unavailable);
            assertThat(failure.kind()).as(unavailable.resultText()).isEqualTo(FailureKind.TRANSIENT);
            assertThat(failure.minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_API_UNAVAILABLE_DELAY);
        }
    }

    @Test
    void aModelTheApiDoesNotKnowIsAConfigurationError() {
        JobFailure failure = reported(agent(
                "success",
                "API Error: 404 {\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-nope\"}}",
                404,
                "invalid_request",
                "api_error"));
        assertThat(failure.kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(failure.message()).contains("model");
    }

    @Test
    void writesOutsideTheOutputDirectoryAreAJobFaultThatNamesThem() {
        JobFailure failure = FailureClassifier.writesOutside(List.of("Write /etc/x", "Edit /srv/y"), 5);
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message())
                .startsWith("the analyzer tried to write outside its output directory (Write /etc/x; Edit /srv/y;"
                        + " and 3 more)");
    }

    private JobFailure reported(AgentResult agent) {
        return classifier.classify(exit(1, "", ""), 0, Optional.of(agent)).orElseThrow();
    }

    private static AgentResult agent(String subtype, String text, Integer status, String kind, String reason) {
        return new ClaudeRunSummary("s", null, 1, null, null, null, true, subtype, text, status, kind, reason, 0);
    }

    @Test
    void aWriteTheSandboxRefusedIsAJobFaultThatSaysSo() {
        // What Node.js prints when the Fondation CLI writes into the read-only repository of a sandboxed run.
        JobFailure failure =
                fondation(1, "Error: EROFS: read-only file system, open '/tmp/fondation/w/job-1/repo/INJECTED.md'\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.message())
                .startsWith("the analyzer tried to write outside its output directory and the sandbox refused it")
                .contains("/tmp/fondation/w/job-1/repo/INJECTED.md");
        assertThat(fondation(1, "sh: 1: cannot create /srv/x: Read-only file system\n")
                        .kind())
                .isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(classifier.classify(exit(0, "", "warning: EROFS while caching\n"), 3, Optional.empty()))
                .as("a run that succeeded is not judged by what it complained about")
                .isEmpty();
    }

    @Test
    void anUnknownFailureKeepsTheRealErrorNotTheWholeStdout() {
        JobFailure failure = fondation(
                1,
                "TypeError: Cannot read properties of undefined (reading 'map')\n"
                        + "    at generateChapters (file:///app/cli/dist/cli.bundled.mjs:9000:12)\n");
        assertThat(failure.kind()).isEqualTo(FailureKind.ANALYZER_FAILED);
        assertThat(failure.message())
                .startsWith("analyzer failed with exit code 1")
                .contains("TypeError: Cannot read properties of undefined")
                .doesNotContain("Starting analysis");
    }

    @Test
    void theStoredErrorIsAtMostFourKilobytesAndEndsWithTheLastLines() {
        StringBuilder stderr = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            stderr.append("noise line ")
                    .append(i)
                    .append(" ")
                    .append("é".repeat(20))
                    .append('\n');
        }
        stderr.append("the real error is here\n");
        JobFailure failure = fondation(1, stderr.toString());
        assertThat(failure.message().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(JobFailure.MAX_MESSAGE_BYTES);
        assertThat(failure.message()).endsWith("the real error is here").doesNotContain("noise line 0 ");
        assertThat(failure.message().split("\n").length).isLessThanOrEqualTo(FailureMessage.MAX_TAIL_LINES + 3);
    }

    @Test
    void secretsInOutputNeverReachTheStoredError() {
        String stderr =
                "POST https://api.anthropic.com/v1/messages with x-api-key " + SecretRedactorTest.ANTHROPIC_KEY + "\n"
                        + "Authorization: Bearer " + SecretRedactorTest.ANTHROPIC_OAUTH + "\n"
                        + "git fetch https://x-access-token:" + SecretRedactorTest.GITHUB_APP
                        + "@github.com/acme/app.git failed\n"
                        + "GITHUB_TOKEN=" + SecretRedactorTest.GITHUB_CLASSIC + " ENCRYPTION_KEY="
                        + SecretRedactorTest.HEX_KEY + "\n"
                        + "API Error: 401 {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}\n";
        for (JobFailure failure : new JobFailure[] {
            fondation(1, stderr),
            classifier
                    .classify(
                            new ProcessOutcome(-1, 9, Duration.ofHours(1), true, false, stderr, stderr),
                            0,
                            Optional.empty())
                    .orElseThrow(),
            classifier.classify(exit(0, stderr, stderr), 0, Optional.empty()).orElseThrow(),
            classifier
                    .classify(
                            exit(1, stderr, ""),
                            0,
                            Optional.of(new ClaudeRunSummary(
                                    "s",
                                    null,
                                    1,
                                    null,
                                    null,
                                    null,
                                    true,
                                    "success",
                                    stderr,
                                    401,
                                    null,
                                    "api_error",
                                    0)))
                    .orElseThrow()
        }) {
            assertThat(failure.message())
                    .doesNotContain(
                            SecretRedactorTest.ANTHROPIC_KEY,
                            SecretRedactorTest.ANTHROPIC_OAUTH,
                            SecretRedactorTest.GITHUB_APP,
                            SecretRedactorTest.GITHUB_CLASSIC,
                            SecretRedactorTest.HEX_KEY)
                    .contains(SecretRedactor.MASK);
        }
    }
}
