package io.fondation.clibridge.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.Progress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProgressParserTest {

    private final ProgressParser parser = new ProgressParser();

    @Test
    void parsesTheJsonLogLineOfTheCurrentCli() {
        String line = "{\"level\":\"info\",\"time\":1735600000000,\"context\":\"analyze\","
                + "\"msg\":\"[FONDATION_STEP_1/6] Extracting core abstractions from codebase\"}";
        assertThat(parser.parse(line)).contains(new Progress(1, 6, "Extracting core abstractions from codebase"));
    }

    @Test
    void parsesAJsonLogLineWithAMessageFieldOrExtraFields() {
        assertThat(parser.parse(
                        "{\"level\":30,\"message\":\"[FONDATION_STEP_4/6] Generating chapter content\",\"pid\":12}"))
                .contains(new Progress(4, 6, "Generating chapter content"));
    }

    @Test
    void parsesAJsonLineCutByTheLineLimit() {
        String cut =
                "{\"level\":\"info\",\"msg\":\"[FONDATION_STEP_2/6] Analyzing relationships between components\",\"extra\":\"xxxx";
        assertThat(parser.parse(cut)).contains(new Progress(2, 6, "Analyzing relationships between components"));
    }

    @Test
    void linesUnderStepsCountingTheSelectedStepsAreMappedToTheRealStepByTheirText() {
        // `--steps generate-chapters,review-chapters,generate-tutorials`: the CLI counts 1/3, 2/3, 3/3.
        assertThat(parser.parse("{\"level\":\"info\",\"msg\":\"[FONDATION_STEP_1/3] Generating chapter content\"}"))
                .contains(new Progress(4, 6, "Generating chapter content"));
        assertThat(parser.parse(
                        "{\"level\":\"info\",\"msg\":\"[FONDATION_STEP_2/3] Reviewing and enhancing chapters\"}"))
                .contains(new Progress(5, 6, "Reviewing and enhancing chapters"));
        assertThat(parser.parse("{\"msg\":\"[FONDATION_STEP_1/1] Generating interactive tutorials\"}"))
                .contains(new Progress(6, 6, "Generating interactive tutorials"));
        // unknown names count in T too (`--steps analyze,bogus`)
        assertThat(parser.parse("[FONDATION_STEP_1/2] Analyzing relationships between components"))
                .contains(new Progress(2, 6, "Analyzing relationships between components"));
        assertThat(parser.parse("[1/2] Tutorials: Generating interactive tutorials"))
                .contains(new Progress(6, 6, "Generating interactive tutorials"));
        assertThat(parser.parse("Step 2 of 3: generating chapter content"))
                .as("case aside")
                .contains(new Progress(4, 6, "generating chapter content"));
        assertThat(parser.parse("[FONDATION_STEP_2/3] Something else"))
                .as("another text keeps its own count")
                .contains(new Progress(2, 3, "Something else"));
    }

    @Test
    void parsesTheTtyForm() {
        assertThat(parser.parse("[1/6] Extract: Extracting core abstractions from codebase"))
                .contains(new Progress(1, 6, "Extracting core abstractions from codebase"));
        assertThat(parser.parse("[3/6] Order: Determining optimal chapter order"))
                .contains(new Progress(3, 6, "Determining optimal chapter order"));
        assertThat(parser.parse("[5/6] Reviewing and enhancing chapters"))
                .contains(new Progress(5, 6, "Reviewing and enhancing chapters"));
    }

    @Test
    void parsesTheTtyFormWithColoursAndASpinner() {
        String line =
                "\u001B[2K\u001B[1G⠋ working…\r\u001B[32m✔\u001B[39m [2/6] \u001B[1mAnalyze\u001B[22m: Analyzing relationships between components";
        assertThat(parser.parse(line)).contains(new Progress(2, 6, "Analyzing relationships between components"));
    }

    @Test
    void parsesTheOlderForms() {
        assertThat(parser.parse("Step 3/6: Determining optimal chapter order"))
                .contains(new Progress(3, 6, "Determining optimal chapter order"));
        assertThat(parser.parse("step 2 / 6 - Analyzing")).contains(new Progress(2, 6, "Analyzing"));
        assertThat(parser.parse("Step 4 of 6: Generating chapter content"))
                .contains(new Progress(4, 6, "Generating chapter content"));
        assertThat(parser.parse("INFO Step 5 of 6")).contains(new Progress(5, 6, ""));
        assertThat(parser.parse("[PROGRESS] Step 6/6: Generating interactive tutorials"))
                .contains(new Progress(6, 6, "Generating interactive tutorials"));
        assertThat(parser.parse("[PROGRESS] 2/6 Analyzing relationships"))
                .contains(new Progress(2, 6, "Analyzing relationships"));
        assertThat(parser.parse("[PROGRESS] Writing chapter 3 of the tutorial"))
                .contains(new Progress(0, 6, "Writing chapter 3 of the tutorial"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "Analysis started",
                "{\"level\":\"info\",\"msg\":\"Analysis failed\"}",
                "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"Step 1/3: read the files\"}]}}",
                "{not json [FONDATION_STEP_x/6]",
                "[7/6] impossible",
                "[0/0] nothing",
                "Step 2/500: absurd total",
                "GET /api/v1/users 200 12/45ms",
                "\u001B[31m\u001B[0m",
                "[PROGRESS]",
                "\u0000\u0001\u0002 binary garbage \u00ff/\u00fe"
            })
    void ignoresEverythingElse(String line) {
        assertThat(parser.parse(line)).isEmpty();
    }

    @Test
    void stripsAnsiFromMessages() {
        Optional<Progress> p =
                parser.parse("{\"msg\":\"[FONDATION_STEP_6/6] \\u001b[1mGenerating interactive tutorials\\u001b[0m\"}");
        assertThat(p).contains(new Progress(6, 6, "Generating interactive tutorials"));
    }

    @Test
    void cutsVeryLongMessages() {
        Optional<Progress> p = parser.parse("Step 1/6: " + "m".repeat(5000));
        assertThat(p).isPresent();
        assertThat(p.get().message()).hasSize(ProgressParser.MAX_MESSAGE_CHARS);
    }
}
