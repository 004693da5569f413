package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeYamlTest {

    /** A bound no real expansion could meet: the bombs below expand to billions of nodes. */
    private static final Duration FAST = Duration.ofSeconds(10);

    private final SafeYaml yaml = new SafeYaml(OutputLimits.DEFAULT_MAX_FILE_BYTES);

    @Test
    void loadsPlainYaml() {
        Object doc = yaml.load("x.yaml", "a: 1\nb: [two, 3.5, true, null]\n");
        assertThat(doc).isEqualTo(Map.of("a", 1, "b", java.util.Arrays.asList("two", 3.5, true, null)));
    }

    @Test
    void theBillionLaughsAreRejectedQuickly() {
        StringBuilder bomb =
                new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char previous = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            bomb.append("]\n");
            previous = c;
        }
        assertTimeoutPreemptively(
                FAST,
                () -> assertThatThrownBy(() -> yaml.load("step1_abstractions.yaml", bomb.toString()))
                        .isInstanceOf(OutputException.class)
                        .hasMessageStartingWith("step1_abstractions.yaml: invalid YAML:")
                        .hasMessageContaining("aliases"));
    }

    @Test
    void aBombWithFewAliasesIsCaughtByTheExpansionCheck() {
        // 24 levels of doubling: 48 aliases (under the alias limit) expanding to 16 million leaves.
        StringBuilder bomb = new StringBuilder("l0: &l0 [x, x]\n");
        for (int i = 1; i <= 24; i++) {
            bomb.append('l')
                    .append(i)
                    .append(": &l")
                    .append(i)
                    .append(" [*l")
                    .append(i - 1)
                    .append(", *l")
                    .append(i - 1)
                    .append("]\n");
        }
        assertTimeoutPreemptively(
                FAST,
                () -> assertThatThrownBy(() -> yaml.load("step3_order.yaml", bomb.toString()))
                        .isInstanceOf(OutputException.class)
                        .hasMessageStartingWith("step3_order.yaml: YAML expands to more than"));
    }

    @Test
    void scalarAliasesCannotBlowUpTheSizeEither() {
        StringBuilder bomb = new StringBuilder("big: &s \"" + "x".repeat(100_000) + "\"\nmany:\n");
        for (int i = 0; i < 2000; i++) {
            bomb.append("  - *s\n");
        }
        assertTimeoutPreemptively(
                FAST,
                () -> assertThatThrownBy(() -> yaml.load("step2_relationships.yaml", bomb.toString()))
                        .isInstanceOf(OutputException.class)
                        .hasMessageContaining("characters"));
    }

    @Test
    void recursiveAliasesAreRejected() {
        assertThatThrownBy(() -> yaml.load("x.yaml", "a: &a [1, *a]\n"))
                .isInstanceOf(OutputException.class)
                .hasMessageContaining("recursive");
    }

    @Test
    void arbitraryTypesAreNeverConstructed() {
        String gadget =
                "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]\n";
        assertThatThrownBy(() -> yaml.load("step1_abstractions.yaml", gadget))
                .isInstanceOf(OutputException.class)
                .hasMessageStartingWith("step1_abstractions.yaml: invalid YAML:")
                .hasMessageContaining("ScriptEngineManager");
    }

    @Test
    void duplicateKeysAndTooLargeDocumentsAreRejected() {
        assertThatThrownBy(() -> yaml.load("x.yaml", "name: a\nname: b\n"))
                .isInstanceOf(OutputException.class)
                .hasMessage(
                        "x.yaml: invalid YAML: found duplicate key name at line 2, column 1 (while constructing a mapping)");
        SafeYaml small = new SafeYaml(100);
        assertThatThrownBy(() -> small.load("x.yaml", "k: " + "v".repeat(200)))
                .isInstanceOf(OutputException.class)
                .hasMessageContaining("x.yaml: invalid YAML");
        assertThatThrownBy(() -> yaml.load("x.yaml", "a: [1, 2\n"))
                .isInstanceOf(OutputException.class)
                .hasMessageStartingWith("x.yaml: invalid YAML");
    }

    @Test
    void deepNestingIsRejected() {
        String deep = "[".repeat(500) + "]".repeat(500);
        assertThatThrownBy(() -> yaml.load("x.yaml", deep))
                .isInstanceOf(OutputException.class)
                .hasMessageStartingWith("x.yaml: invalid YAML");
    }

    @Test
    void multipleDocumentsAreRejected() {
        assertThatThrownBy(() -> yaml.load("x.yaml", "a: 1\n---\nb: 2\n")).isInstanceOf(OutputException.class);
        assertThat(yaml.load("x.yaml", "- 1\n")).isEqualTo(List.of(1));
    }
}
