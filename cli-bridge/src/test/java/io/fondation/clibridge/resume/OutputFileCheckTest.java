package io.fondation.clibridge.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.output.OutputLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutputFileCheckTest {

    private final OutputFileCheck check = OutputFileCheck.withDefaults();

    @Test
    void validFilesOfEveryStepAreTakenWithTheirStepAndNumber() {
        assertValid(Layout.STEP1, Layout.step1(), 1, null);
        assertValid(Layout.STEP2, Layout.step2(), 2, null);
        assertValid(Layout.STEP3, Layout.step3(), 3, null);
        assertValid("chapters/chapter_10_queue.md", "# Chapter 10: Queue\n\nÉtape.\n", 4, 10);
        assertValid("reviewed-chapters/chapter_2_w.md", "Worker\n======\n\ntext\n", 5, 2);
        assertValid("tutorials/tutorial_3_a.md", "intro\n\n## Interactive Tutorial: A\n", 6, 3);
        assertValid(Layout.STEP2, "summary: one part\nrelationships: []\n", 2, null);
    }

    private void assertValid(String path, String content, int step, Integer index) {
        OutputFileCheck.Verdict verdict = check.check(path, content);
        assertThat(verdict).as(path).isInstanceOf(OutputFileCheck.Verdict.Valid.class);
        OutputFile file = ((OutputFileCheck.Verdict.Valid) verdict).file();
        assertThat(file).isEqualTo(new OutputFile(path, step, index, content));
        assertThat(check.check(path, content.getBytes(StandardCharsets.UTF_8))).isEqualTo(verdict);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "chapters/chapter_1_a.md|''|is empty",
                "chapters/chapter_1_a.md|'  \n\n'|is empty",
                "chapters/chapter_1_a.md|(no content)|the model answered nothing",
                "reviewed-chapters/chapter_1_a.md|'(no content)\n'|the model answered nothing",
                "tutorials/tutorial_1_a.md|# (no content)|the model answered nothing",
                "chapters/chapter_1_a.md|'Some text that was cut befo'|no title",
                "chapters/intro.md|# Intro|no number in its name",
                "step1_abstractions.yaml|'- name: [unclosed'|invalid YAML",
                "step1_abstractions.yaml|'[]'|lists no abstraction",
                "step1_abstractions.yaml|'- description: no name'|name: missing",
                "step2_relationships.yaml|'summary: no list'|relationships: missing",
                "step3_order.yaml|'order: []'|orders no chapter",
                "step3_order.yaml|'order:\n  - index: x'|expected an index",
            })
    void invalidFilesAreRefusedWithTheReason(String path, String content, String reason) {
        OutputFileCheck.Verdict verdict = check.check(path, content.replace("\\n", "\n"));
        assertThat(verdict).isInstanceOf(OutputFileCheck.Verdict.Invalid.class);
        assertThat(((OutputFileCheck.Verdict.Invalid) verdict).reason()).contains(reason);
        assertThat(verdict.path()).isEqualTo(path);
    }

    @Test
    void bytesMustBeUtf8AndWithinTheLimit() {
        byte[] latin1 = "# Chapitre 1: Écrit en latin-1\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(check.check("chapters/chapter_1_a.md", latin1))
                .isInstanceOfSatisfying(
                        OutputFileCheck.Verdict.Invalid.class,
                        invalid -> assertThat(invalid.reason()).contains("not valid UTF-8"));
        OutputFileCheck small = new OutputFileCheck(new OutputLimits(10, 20, 100));
        assertThat(small.check("chapters/chapter_1_a.md", "# A\n" + "x".repeat(30)))
                .isInstanceOf(OutputFileCheck.Verdict.Invalid.class);
        assertThat(small.check("chapters/chapter_1_a.md", ("# A\n" + "x".repeat(30)).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        OutputFileCheck.Verdict.Invalid.class,
                        invalid -> assertThat(invalid.reason()).contains("more than the limit of 20"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "README.md",
                "notes.yaml",
                "chapters/sub/chapter_1_a.md",
                "chapters/.chapter_1_a.md.swp",
                "chapters/chapter_1_a.txt",
                "drafts/chapter_1_a.md",
                "chapters"
            })
    void otherPathsAreNotOutputFiles(String path) {
        assertThat(check.check(path, "# Title")).isEqualTo(new OutputFileCheck.Verdict.NotOutput(path));
    }
}
