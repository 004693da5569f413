package io.fondation.clibridge;

import static io.fondation.clibridge.ClaudeCodeWorkspace.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.process.ProcessTree;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How the real Claude Code CLI fails against a scripted API that refuses, overloads, breaks or
 * hangs, and how each failure is classified: in seconds, with the least delay before a retry.
 */
class ClaudeCodeFailureTest {

    /** A bad credential or an unreachable API must fail this fast (the CLI's own retries are off). */
    private static final Duration FAST = Duration.ofSeconds(20);

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
    void aRejectedKeyIsAWorkerFaultWithinSecondsAndItsValueIsNotRepeated() throws Exception {
        // The API's message repeats the key, as some gateways do: it must not reach the stored error.
        api = workspace.serve(Scenario.status(401, "authentication_error", "invalid x-api-key " + FAKE_KEY));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()), null);

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(failure.kind().isWorkerFault()).isTrue();
        assertThat(failure.message())
                .startsWith("Claude authentication failed")
                .contains("An operator must renew the Claude credential")
                .doesNotContain(FAKE_KEY)
                .doesNotContain("not retried");
        assertThat(report.outcome().duration()).isLessThan(FAST);
        assertThat(api.messageRequests()).hasSize(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "529, overloaded_error, RATE_LIMITED, 60",
        "429, rate_limit_error, RATE_LIMITED, 120",
        "500, api_error, TRANSIENT, 30",
        "503, api_error, TRANSIENT, 30"
    })
    void apiErrorsAreRetriedLater(int status, String type, FailureKind kind, long leastDelaySeconds) throws Exception {
        api = workspace.serve(Scenario.status(status, type, "scripted " + status));

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()), null);

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).as(failure.message()).isEqualTo(kind);
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.minRetryDelay()).isEqualTo(Duration.ofSeconds(leastDelaySeconds));
        assertThat(report.outcome().duration()).isLessThan(FAST);
    }

    @Test
    void anUnreachableApiIsTransientWithinSeconds() throws Exception {
        AnalysisReport report = workspace.run(workspace.command(ScriptedMessagesApi.unreachableBaseUrl()), null);

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).as(failure.message()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failure.message()).contains("ECONNREFUSED");
        assertThat(failure.minRetryDelay()).isEqualTo(FailureClassifier.DEFAULT_API_UNAVAILABLE_DELAY);
        assertThat(report.outcome().duration()).isLessThan(FAST);
    }

    @Test
    void aBrokenStreamIsTransient() throws Exception {
        api = workspace.serve(Scenario.brokenStream());

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()), null);

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).as(failure.message()).isEqualTo(FailureKind.TRANSIENT);
        // The CLI fell back to a JSON request after the stream broke.
        assertThat(api.messageRequests()).anyMatch(r -> r.streaming()).anyMatch(r -> !r.streaming());
    }

    @Test
    void aPromptTooLongIsAJobFault() throws Exception {
        api = workspace.serve(
                Scenario.status(400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"));

        JobFailure failure =
                workspace.run(workspace.command(api.baseUrl()), null).failure().orElseThrow();

        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message()).startsWith("the repository does not fit in the model's context");
    }

    @Test
    void theTurnLimitIsAJobFault() throws Exception {
        // A model that never stops looking around.
        api = workspace.serve((request, number) -> Turn.tools(ToolCall.glob("**/*.ts")));

        JobFailure failure = workspace
                .run(workspace.command(api.baseUrl()).maxTurns(2), null)
                .failure()
                .orElseThrow();

        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message())
                .startsWith("the analyzer reached its turn limit before finishing")
                .contains("Reached maximum number of turns (2)");
    }

    @Test
    void aModelTheApiDoesNotKnowIsAConfigurationError() throws Exception {
        api = workspace.serve(Scenario.status(404, "not_found_error", "model: claude-nope"));

        JobFailure failure = workspace
                .run(workspace.command(api.baseUrl()).model("claude-nope"), null)
                .failure()
                .orElseThrow();

        assertThat(failure.kind()).as(failure.message()).isEqualTo(FailureKind.CONFIGURATION);
    }

    @Test
    void aHungApiEndsWithTheTimeoutAndNoProcessOfTheTreeIsLeft() throws Exception {
        api = workspace.serve(Scenario.hang());
        Set<Long> before = descendants().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        RunningAnalysis analysis = workspace.runner.start(
                workspace
                        .command(api.baseUrl())
                        .apiTimeout(Duration.ofMinutes(10))
                        .timeout(Duration.ofSeconds(8))
                        .build(),
                workspace.out,
                null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !api.messageRequests().isEmpty());
        List<ProcessHandle> tree =
                descendants().stream().filter(p -> !before.contains(p.pid())).toList();
        assertThat(tree).as("bwrap, its init and the CLI").hasSizeGreaterThanOrEqualTo(3);

        AnalysisReport report = analysis.await();

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(failure.message()).contains("its process tree was terminated");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(tree)
                        .as("processes of the analyzer left running")
                        .noneMatch(ProcessTree::isRunning));
    }

    private static List<ProcessHandle> descendants() {
        return ProcessHandle.current().descendants().toList();
    }
}
