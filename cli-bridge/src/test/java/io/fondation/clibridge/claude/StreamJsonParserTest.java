package io.fondation.clibridge.claude;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import io.fondation.shared.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamJsonParserTest {

    private static StreamJsonParser feed(String resource) {
        StreamJsonParser parser = new StreamJsonParser();
        Fixtures.text(resource).lines().forEach(parser::accept);
        return parser;
    }

    @Test
    void readsASuccessfulRun() {
        StreamJsonParser parser = feed("/claude/success.ndjson");
        ClaudeRunSummary summary = parser.summary().orElseThrow();
        assertThat(summary.sessionId()).isEqualTo("0b7c6a40-7d1e-4a7e-9a43-3c2f4d6e8a11");
        assertThat(summary.numTurns()).isEqualTo(7);
        assertThat(summary.totalCostUsd()).isEqualTo(0.4213);
        assertThat(summary.inputTokens()).isEqualTo(1520L);
        assertThat(summary.outputTokens()).isEqualTo(6210L);
        assertThat(summary.isError()).isFalse();
        assertThat(summary.subtype()).isEqualTo("success");
        assertThat(summary.terminalReason()).isEqualTo("completed");
        assertThat(summary.resultText()).isEqualTo("Wrote the tutorial.");
        assertThat(summary.failed()).isFalse();
        assertThat(parser.model()).contains("claude-sonnet-4-5-20250929");
        assertThat(parser.toolUses()).isEqualTo(3);
        assertThat(parser.assistantMessages()).isEqualTo(3);
        assertThat(parser.lastToolProgress())
                .contains(new Progress(0, 1, "Write: /tmp/job-1/out/chapters/chapter_1_intro.md"));
    }

    @Test
    void detailsCarrySessionTurnsCostAndTokens() {
        Map<String, Object> details =
                feed("/claude/success.ndjson").summary().orElseThrow().toDetails();
        assertThat(details)
                .containsEntry(ClaudeRunSummary.SESSION_ID, "0b7c6a40-7d1e-4a7e-9a43-3c2f4d6e8a11")
                .containsEntry(ClaudeRunSummary.NUM_TURNS, 7)
                .containsEntry(ClaudeRunSummary.TOTAL_COST_USD, 0.4213)
                .containsEntry(ClaudeRunSummary.INPUT_TOKENS, 1520L)
                .containsEntry(ClaudeRunSummary.OUTPUT_TOKENS, 6210L)
                .containsEntry(ClaudeRunSummary.IS_ERROR, false)
                .doesNotContainKey(ClaudeRunSummary.API_ERROR_STATUS);
        assertThat(details.values()).doesNotContainNull();
    }

    @Test
    void reportsEachToolUseAsProgress() {
        StreamJsonParser parser = new StreamJsonParser();
        List<Progress> seen = new ArrayList<>();
        for (String line : Fixtures.text("/claude/success.ndjson").split("\n")) {
            int before = parser.toolUses();
            parser.accept(line);
            seen.addAll(parser.toolProgressAfter(before));
        }
        assertThat(seen)
                .extracting(Progress::message)
                .containsExactly(
                        "Read: /tmp/job-1/repo/src/main.ts",
                        "Bash: git log --oneline | head -5",
                        "Write: /tmp/job-1/out/chapters/chapter_1_intro.md");
        assertThat(parser.toolProgressAfter(parser.toolUses())).isEmpty();
    }

    @Test
    void readsAnAuthenticationError() {
        StreamJsonParser parser = feed("/claude/auth-error.ndjson");
        ClaudeRunSummary summary = parser.summary().orElseThrow();
        assertThat(summary.isError()).isTrue();
        assertThat(summary.subtype()).isEqualTo("success"); // the CLI keeps "success" on API errors
        assertThat(summary.apiErrorStatus()).isEqualTo(401);
        assertThat(summary.terminalReason()).isEqualTo("api_error");
        assertThat(summary.failed()).isTrue();
        assertThat(parser.lastRetryStatus()).contains(401);
        assertThat(parser.lastRetryError()).contains("authentication_failed");
    }

    @Test
    void errorSubtypesAreFailures() {
        ClaudeRunSummary summary = feed("/claude/max-turns.ndjson").summary().orElseThrow();
        assertThat(summary.subtype()).isEqualTo("error_max_turns");
        assertThat(summary.failed()).isTrue();
        assertThat(summary.numTurns()).isEqualTo(31);
    }

    @Test
    void ignoresGarbageAndSurvivesACutResultLine() {
        StreamJsonParser parser = new StreamJsonParser();
        parser.accept("not json at all");
        parser.accept("{\"type\":");
        parser.accept("[1,2,3]");
        parser.accept("{\"type\":\"mystery\",\"x\":1}");
        parser.accept(null);
        assertThat(parser.summary()).isEmpty();
        assertThat(parser.sawEvents()).isFalse();

        parser.accept("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-1\"}");
        parser.accept(
                "{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,\"duration_ms\":5,\"result\":\""
                        + "y".repeat(200));
        ClaudeRunSummary summary = parser.summary().orElseThrow();
        assertThat(summary.subtype()).isEqualTo("error_during_execution");
        assertThat(summary.isError()).isTrue();
        assertThat(summary.sessionId()).isEqualTo("s-1");
    }

    @Test
    void toolCommandsInProgressAreRedactedAndShortened() {
        StreamJsonParser parser = new StreamJsonParser();
        String token = "ghp_" + "A1b2C3d4".repeat(5);
        parser.accept(
                "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"name\":\"Bash\",\"input\":{\"command\":\"curl -H 'Authorization: token "
                        + token + "' https://example.invalid/" + "p".repeat(300) + "\"}}]}}");
        String message = parser.lastToolProgress().orElseThrow().message();
        assertThat(message).startsWith("Bash: curl").doesNotContain(token).hasSizeLessThanOrEqualTo(6 + 120);
    }
}
