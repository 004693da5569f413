package io.fondation.worker.e2e.claude;

import io.fondation.clibridge.testing.RecordedRequest;
import io.fondation.clibridge.testing.Reply;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model that writes a whole course in the Fondation layout through the real CLI's Write tool, one step per turn,
 * into the output directory the worker's prompt names (each job's workspace is new, so the paths are read from the
 * request). Each turn may wait for a gate, so a test can watch the job between the steps.
 */
public final class ScriptedCourse implements Scenario {

    /** The documents the course becomes, in reading order. */
    static final List<String> SLUGS = List.of(
            "step1_abstractions.yaml",
            "step2_relationships.yaml",
            "step3_order.yaml",
            "chapters/chapter_1_entry-point.md",
            "chapters/chapter_2_helpers.md",
            "reviewed-chapters/chapter_1_entry-point.md",
            "reviewed-chapters/chapter_2_helpers.md",
            "tutorials/tutorial_1_entry-point.md");

    /** API turns of the conversation (one to look around, six of writes, the final answer). */
    static final int TURNS = 7;

    private static final Pattern OUTPUT =
            Pattern.compile("Write the course into (/[^\\s\"\\\\]+) as your instructions");

    static final String ABSTRACTIONS = """
            - name: Entry point
              description: Where the program starts.
              file_paths: [src/main.py]
            - name: Helpers
              description: Small utilities the entry point calls.
              file_paths: [src/util.py]
            """;
    static final String RELATIONSHIPS = """
            summary: The entry point calls the helpers.
            relationships:
              - from_abstraction: 0
                to_abstraction: 1
                label: Calls
                evidence: main() uses helper()
            """;
    static final String ORDER = """
            order:
              - index: 0
                name: Entry point
                reasoning: Start where the program starts.
              - index: 1
                name: Helpers
                reasoning: Then what it uses.
            """;

    private final List<CountDownLatch> gates;

    /** @param gates turn {@code i + 1} waits for {@code gates[i]} (fewer gates: the later turns do not wait) */
    ScriptedCourse(List<CountDownLatch> gates) {
        this.gates = List.copyOf(gates);
    }

    /** A course written without waiting. */
    public static ScriptedCourse ungated() {
        return new ScriptedCourse(List.of());
    }

    /** The output directory a request's conversation names. */
    public static Path outputDir(RecordedRequest request) {
        Matcher m = OUTPUT.matcher(request.body());
        if (!m.find()) {
            throw new IllegalStateException("the request names no output directory");
        }
        return Path.of(m.group(1).replaceAll("[.]$", ""));
    }

    @Override
    public Reply reply(RecordedRequest request, int number) {
        int turn = request.turn();
        Reply reply = turn(turn, outputDir(request));
        if (turn >= 1 && turn - 1 < gates.size()) {
            return new Reply.After(gates.get(turn - 1), reply);
        }
        return reply;
    }

    private static Reply turn(int turn, Path out) {
        Function<String, Path> at = out::resolve;
        return switch (turn) {
            case 0 -> Turn.saying("Looking around.", ToolCall.glob("**/*"));
            case 1 -> Turn.tools(ToolCall.write(at.apply("step1_abstractions.yaml"), ABSTRACTIONS));
            case 2 -> Turn.tools(ToolCall.write(at.apply("step2_relationships.yaml"), RELATIONSHIPS));
            case 3 ->
                Turn.tools(
                        ToolCall.write(at.apply("step3_order.yaml"), ORDER),
                        ToolCall.write(
                                at.apply("chapters/chapter_1_entry-point.md"),
                                "# Chapter 1: Entry point\n\nWhere it starts.\n"),
                        ToolCall.write(
                                at.apply("chapters/chapter_2_helpers.md"), "# Chapter 2: Helpers\n\nWhat it uses.\n"));
            case 4 ->
                Turn.tools(
                        ToolCall.write(
                                at.apply("reviewed-chapters/chapter_1_entry-point.md"),
                                "# Chapter 1: Entry point\n\nWhere it starts, reviewed.\n"),
                        ToolCall.write(
                                at.apply("reviewed-chapters/chapter_2_helpers.md"),
                                "# Chapter 2: Helpers\n\nWhat it uses, reviewed.\n"));
            case 5 ->
                Turn.tools(ToolCall.write(
                        at.apply("tutorials/tutorial_1_entry-point.md"),
                        "# Interactive Tutorial: Entry point\n\nRun it and watch.\n"));
            default -> Turn.text("DONE");
        };
    }
}
