package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepFileWriterTest {

    private final StepFileWriter writer = new StepFileWriter("made by a test", "test-generator");
    private final SafeYaml yaml = new SafeYaml(OutputLimits.DEFAULT_MAX_FILE_BYTES);

    @Test
    void whatItWritesStepFilesReadsBackUnchanged() {
        List<Abstraction> abstractions = List.of(
                new Abstraction("Entry: point", "Where it starts # not a comment", List.of("src/main.py")),
                new Abstraction("Hélpers", "Small \"utilities\"\nover two lines", List.of()));
        Relationships relationships = new Relationships(
                "summary: with a colon", List.of(new Relationship(0, 1, "calls", "main() → helper()")));
        ChapterOrder order = new ChapterOrder(
                List.of(new ChapterOrderEntry(0, "Entry: point", "first"), new ChapterOrderEntry(1, "Hélpers", "")));

        String step1 = writer.abstractions(abstractions);
        String step2 = writer.relationships(relationships);
        String step3 = writer.order(order);

        assertThat(step1).startsWith("# made by a test\n");
        assertThat(StepFiles.abstractions(yaml.load(StepFiles.ABSTRACTIONS, step1)))
                .isEqualTo(abstractions);
        assertThat(StepFiles.relationships(yaml.load(StepFiles.RELATIONSHIPS, step2)))
                .isEqualTo(relationships);
        assertThat(StepFiles.order(yaml.load(StepFiles.ORDER, step3))).isEqualTo(order);
        assertThat(step2).contains("generator: test-generator");
    }
}
