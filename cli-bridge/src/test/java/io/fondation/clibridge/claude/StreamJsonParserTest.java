package io.fondation.clibridge.claude;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.failure.ApiRetryNotice;
import io.fondation.clibridge.process.StreamDrainer;
import io.fondation.shared.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(summary.usage().totalCostUsd()).isEqualTo(0.4213);
        assertThat(summary.usage().inputTokens()).isEqualTo(1520L);
        assertThat(summary.usage().outputTokens()).isEqualTo(6210L);
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
    void keepsTheLastRetryForALimitAndOnlyThose() {
        // Captured from Claude Code 2.1.332 against an API answering 429 with retry-after: 5.
        StreamJsonParser limited = feed("/claude/rate-limit-retry-after.ndjson");
        assertThat(limited.lastLimitRetry()).contains(new ApiRetryNotice(1, 5750L, 429, "rate_limit"));
        assertThat(limited.summary().orElseThrow().apiErrorStatus()).isEqualTo(429);
        assertThat(limited.summary().orElseThrow().usage().totalCostUsd()).isEqualTo(0.0);
        StreamJsonParser overloaded = feed("/claude/overloaded.ndjson");
        assertThat(overloaded.lastLimitRetry())
                .get()
                .extracting(n -> n.attempt())
                .isEqualTo(2);
        assertThat(overloaded.lastLimitRetry().orElseThrow().overloaded()).isTrue();
        // A 401's retry is no limit.
        assertThat(feed("/claude/auth-error.ndjson").lastLimitRetry()).isEmpty();
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

    @Test
    void readsTheResultOfNewerCliVersionsWhoseTypeComesLast() {
        StreamJsonParser parser = new StreamJsonParser();
        parser.accept(
                "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-2\",\"model\":\"claude-sonnet-5-5\","
                        + "\"cwd\":\"/w/repo\"}");
        parser.accept(
                "{\"type\":\"system\",\"subtype\":\"permission_denied\",\"tool_name\":\"Read\",\"tool_use_id\":\"t1\"}");
        parser.accept("{\"duration_api_ms\":71,\"stop_reason\":null,\"session_id\":\"s-2\",\"total_cost_usd\":0.00022,"
                + "\"usage\":{\"input_tokens\":20,\"cache_creation_input_tokens\":3,\"cache_read_input_tokens\":4,"
                + "\"output_tokens\":40},\"permission_denials\":[],\"terminal_reason\":\"max_turns\",\"is_error\":true,"
                + "\"num_turns\":2,\"subtype\":\"error_max_turns\",\"api_error_status\":null,"
                + "\"errors\":[\"Reached maximum number of turns (1)\"],\"type\":\"result\",\"duration_ms\":296}");
        ClaudeRunSummary summary = parser.summary().orElseThrow();
        assertThat(summary.model()).isEqualTo("claude-sonnet-5-5");
        assertThat(summary.durationMs()).isEqualTo(296L);
        assertThat(summary.durationApiMs()).isEqualTo(71L);
        assertThat(summary.usage()).isEqualTo(new ClaudeUsage(0.00022, 20L, 40L, 4L, 3L));
        assertThat(summary.resultText()).isEqualTo("Reached maximum number of turns (1)");
        assertThat(summary.terminalReason()).isEqualTo("max_turns");
        assertThat(summary.apiErrorStatus()).isNull();
        // The result's own list wins over the events seen.
        assertThat(summary.permissionDenials()).isZero();
        assertThat(summary.toDetails())
                .containsEntry(ClaudeRunSummary.CACHE_READ_INPUT_TOKENS, 4L)
                .containsEntry(ClaudeRunSummary.DURATION_MS, 296L)
                .containsEntry(ClaudeRunSummary.MODEL, "claude-sonnet-5-5");
    }

    @Test
    void aCutResultLineOfANewerCliStillYieldsItsScalars() {
        StreamJsonParser parser = new StreamJsonParser();
        parser.accept("{\"duration_api_ms\":0,\"session_id\":\"s-3\",\"total_cost_usd\":1.5,\"permission_denials\":[],"
                + "\"terminal_reason\":\"api_error\",\"is_error\":true,\"num_turns\":1,\"subtype\":\"success\","
                + "\"api_error_status\":529,\"result\":\"API Error: " + "x".repeat(100));
        ClaudeRunSummary summary = parser.summary().orElseThrow();
        assertThat(summary.sessionId()).isEqualTo("s-3");
        assertThat(summary.apiErrorStatus()).isEqualTo(529);
        assertThat(summary.terminalReason()).isEqualTo("api_error");
        assertThat(summary.numTurns()).isEqualTo(1);
        assertThat(summary.usage().totalCostUsd()).isEqualTo(1.5);
        assertThat(summary.failed()).isTrue();
    }

    @Test
    void theApiErrorKindComesFromTheErrorMessage() {
        StreamJsonParser parser = feed("/claude/auth-error.ndjson");
        assertThat(parser.summary().orElseThrow().apiErrorKind()).isEqualTo("authentication_failed");
    }

    @Test
    void auditsWritesOutsideTheWritableDirectory(@TempDir Path dir) {
        Path out = dir.resolve("out");
        StreamJsonParser parser = new StreamJsonParser(out);
        parser.accept("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\",\"cwd\":\"" + dir.resolve("repo")
                + "\"}");
        parser.accept(toolUse("Write", "file_path", out + "/chapters/chapter_1_a.md"));
        parser.accept(toolUse("Edit", "file_path", out + "/step1_abstractions.yaml"));
        parser.accept(toolUse("Read", "file_path", "/etc/passwd"));
        assertThat(parser.writesOutside()).isEmpty();

        parser.accept(toolUse("Write", "file_path", out + "/../escape.md"));
        parser.accept(toolUse("Edit", "file_path", "src/main.c"));
        parser.accept(toolUse("NotebookEdit", "notebook_path", "/srv/n.ipynb"));
        parser.accept("{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"is_error\":true,"
                + "\"tool_use_id\":\"t\",\"content\":\"EROFS: read-only file system, open '/srv/x.md'\"}]}}");
        parser.accept("{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"is_error\":true,"
                + "\"tool_use_id\":\"t\",\"content\":\"File does not exist.\"}]}}");
        assertThat(parser.writesOutside())
                .containsExactly(
                        "Write " + dir.resolve("escape.md"),
                        "Edit " + dir.resolve("repo/src/main.c"),
                        "NotebookEdit /srv/n.ipynb",
                        "a tool call failed on the read-only file system: EROFS: read-only file system, open '/srv/x.md'");
        assertThat(parser.writesOutsideCount()).isEqualTo(4);
    }

    @Test
    void aWriteTooLongForTheLineLimitIsStillAudited(@TempDir Path dir) {
        StreamJsonParser parser = new StreamJsonParser(dir.resolve("out"));
        String line = toolUse("Write", "file_path", "/srv/huge.md");
        parser.accept(line.substring(0, line.indexOf("text"))
                + "y".repeat(500)
                + String.format(StreamDrainer.TRUNCATION_MARKER, 9000));
        assertThat(parser.writesOutside()).containsExactly("Write /srv/huge.md");
        assertThat(parser.lastToolProgress()).contains(new Progress(0, 1, "Write: /srv/huge.md"));
    }

    @Test
    void withoutAWritableDirectoryNothingIsAudited() {
        StreamJsonParser parser = new StreamJsonParser();
        parser.accept(toolUse("Write", "file_path", "/srv/x.md"));
        assertThat(parser.writesOutside()).isEmpty();
        assertThat(parser.toolUses()).isEqualTo(1);
    }

    private static String toolUse(String tool, String field, String path) {
        return "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\""
                + tool + "\",\"input\":{\"" + field + "\":\"" + path + "\",\"content\":\"text\"}}]}}";
    }
}
