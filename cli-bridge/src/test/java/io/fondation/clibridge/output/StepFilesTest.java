package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepFilesTest {

    private final SafeYaml yaml = new SafeYaml(OutputLimits.DEFAULT_MAX_FILE_BYTES);

    @Test
    void mapsTheThreeStepsOntoRecords() {
        List<Abstraction> abstractions = StepFiles.abstractions(yaml.load("a", OutputTree.ABSTRACTIONS));
        assertThat(abstractions)
                .containsExactly(
                        new Abstraction(
                                "Job Queue",
                                "Stores jobs and hands them to workers under a lease.",
                                List.of("src/queue.ts", "src/lease.ts")),
                        new Abstraction("Worker", "Polls the queue and runs the analyzer.", List.of("src/worker.ts")),
                        new Abstraction("Analyzer: CLI", "Turns a repository into a course.", List.of()));
        Relationships relationships = StepFiles.relationships(yaml.load("r", OutputTree.RELATIONSHIPS));
        assertThat(relationships.summary()).isEqualTo("A worker runs analyses from a queue.");
        assertThat(relationships.relationships())
                .containsExactly(
                        new Relationship(1, 0, "Claims jobs from", "worker.ts calls claimOne"),
                        new Relationship(1, 2, "Runs", ""));
        ChapterOrder order = StepFiles.order(yaml.load("o", OutputTree.ORDER));
        assertThat(order.order()).extracting(ChapterOrderEntry::index).containsExactly(0, 1, 2);
        StepFiles.crossCheck(abstractions, relationships, order);
    }

    @Test
    void acceptsTheVariantsLlmsWrite() {
        assertThat(StepFiles.abstractions(yaml.load("a", "abstractions:\n  - name: X\n    files: [1, 2]\n")))
                .containsExactly(new Abstraction("X", "", List.of("1", "2")));
        assertThat(StepFiles.relationships(
                                yaml.load("r", "relationships:\n  - {from: \"0 # X\", to: '1', label: uses}\n"))
                        .relationships())
                .containsExactly(new Relationship(0, 1, "uses", ""));
        assertThat(StepFiles.order(yaml.load("o", "- \"2 # Worker\"\n- 0 # Queue (a YAML comment)\n"))
                        .order())
                .containsExactly(new ChapterOrderEntry(2, "Worker", ""), new ChapterOrderEntry(0, "", ""));
    }

    @Test
    void errorsNameTheFileAndTheField() {
        assertThatThrownBy(() -> StepFiles.abstractions(yaml.load("a", "- description: no name\n")))
                .hasMessage("step1_abstractions.yaml: [0].name: missing");
        assertThatThrownBy(() -> StepFiles.abstractions(yaml.load("a", "- name: A\n- name: {x: 1}\n")))
                .hasMessage("step1_abstractions.yaml: [1].name: expected text, got a mapping");
        assertThatThrownBy(() -> StepFiles.abstractions(yaml.load("a", "- name: A\n  file_paths: src/a.ts\n")))
                .hasMessage("step1_abstractions.yaml: [0].file_paths: expected a list, got text 'src/a.ts'");
        assertThatThrownBy(() -> StepFiles.abstractions(yaml.load("a", "name: A\n")))
                .hasMessage("step1_abstractions.yaml: (document): expected a list, got a mapping");
        assertThatThrownBy(() -> StepFiles.relationships(yaml.load("r", "summary: s\n")))
                .hasMessage("step2_relationships.yaml: relationships: missing");
        assertThatThrownBy(() -> StepFiles.relationships(
                        yaml.load("r", "relationships:\n  - {from_abstraction: -1, to_abstraction: 0, label: x}\n")))
                .hasMessage("step2_relationships.yaml: relationships[0].from_abstraction: -1 is not a valid index");
        assertThatThrownBy(() -> StepFiles.relationships(
                        yaml.load("r", "relationships:\n  - {from_abstraction: one, to_abstraction: 0, label: x}\n")))
                .hasMessage(
                        "step2_relationships.yaml: relationships[0].from_abstraction: expected an index (a whole number >= 0), got text 'one'");
        assertThatThrownBy(() -> StepFiles.relationships(yaml.load(
                        "r", "relationships:\n  - {from_abstraction: 0, to_abstraction: 0, label: \"  \"}\n")))
                .hasMessage("step2_relationships.yaml: relationships[0].label: must not be blank");
        assertThatThrownBy(() -> StepFiles.order(yaml.load("o", "order:\n  - {index: 1}\n  - {index: 1}\n")))
                .hasMessage("step3_order.yaml: order[1].index: 1 appears more than once");
        assertThatThrownBy(() -> StepFiles.order(yaml.load("o", "sequence: []\n")))
                .hasMessage("step3_order.yaml: order: missing");
    }

    @Test
    void crossChecksIndices() {
        List<Abstraction> two = List.of(new Abstraction("A", "", List.of()), new Abstraction("B", "", List.of()));
        assertThatThrownBy(() ->
                        StepFiles.crossCheck(two, null, new ChapterOrder(List.of(new ChapterOrderEntry(2, "C", "")))))
                .hasMessage(
                        "step3_order.yaml: order[0].index: 2 is not an abstraction index (0..1 in step1_abstractions.yaml)");
        assertThatThrownBy(() -> StepFiles.crossCheck(
                        List.of(), new Relationships("", List.of(new Relationship(0, 0, "x", ""))), null))
                .hasMessage(
                        "step2_relationships.yaml: relationships[0].from_abstraction: 0 is not an abstraction index (step 1 lists none in step1_abstractions.yaml)");
        StepFiles.crossCheck(null, new Relationships("", List.of(new Relationship(9, 9, "x", ""))), null);
    }
}
