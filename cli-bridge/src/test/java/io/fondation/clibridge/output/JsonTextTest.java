package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.process.ProcessStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON text as JavaScript's {@code JSON.stringify(value, null, 2)} writes it, checked against a real Node.js. */
class JsonTextTest {

    @TempDir
    Path dir;

    @Test
    void writesLikeJsonStringifyWithTwoSpaces() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "Queue \"main\"\n\ttab \\ é 😀 \u0001");
        value.put("list", Arrays.asList(1, 2.5, true, null, List.of(), Map.of()));
        value.put("n", 3.0);
        assertThat(JsonText.stringify(value))
                .isEqualTo("{\n"
                        + "  \"name\": \"Queue \\\"main\\\"\\n\\ttab \\\\ é 😀 \\u0001\",\n"
                        + "  \"list\": [\n    1,\n    2.5,\n    true,\n    null,\n    [],\n    {}\n  ],\n"
                        + "  \"n\": 3\n}");
        assertThat(JsonText.stringify(List.of())).isEqualTo("[]");
        assertThat(JsonText.stringify(Double.NaN)).isEqualTo("null");
    }

    @Test
    void nodeAgreesOnTheStepFiles() throws Exception {
        String combined = "[\n"
                + String.join(
                        ",\n",
                        List.of(
                                JsonText.stringify(new SafeYaml(1 << 20).load("a", OutputTree.ABSTRACTIONS)),
                                JsonText.stringify(new SafeYaml(1 << 20).load("r", OutputTree.RELATIONSHIPS)),
                                JsonText.stringify(new SafeYaml(1 << 20).load("o", OutputTree.ORDER)),
                                JsonText.stringify(
                                        Map.of("weird", "quotes \" back \\ nl \n tab \t ctl \u001f uni é 😀"))))
                + "\n]";
        Path input = Files.writeString(dir.resolve("in.json"), combined);
        Path script = Files.writeString(
                dir.resolve("check.js"),
                "const fs = require('fs');\n"
                        + "const docs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));\n"
                        + "process.stdout.write(docs.map(d => JSON.stringify(d, null, 2)).join('\\n<>\\n'));\n");
        StringBuilder out = new StringBuilder();
        ProcessOutcome outcome;
        try {
            outcome = new ProcessRunner()
                    .start(
                            new ProcessSpec(
                                    List.of("node", script.toString(), input.toString()),
                                    dir,
                                    Fixtures.minimalEnv(),
                                    Duration.ofSeconds(60),
                                    null),
                            (channel, line) -> {
                                if (channel == OutputChannel.STDOUT) {
                                    out.append(line).append('\n');
                                }
                            })
                    .await();
        } catch (ProcessStartException e) {
            assumeTrue(false, "node is not installed");
            return;
        }
        assertThat(outcome.succeeded()).as(outcome.stderrTail()).isTrue();
        String expected = String.join(
                        "\n<>\n",
                        List.of(
                                JsonText.stringify(new SafeYaml(1 << 20).load("a", OutputTree.ABSTRACTIONS)),
                                JsonText.stringify(new SafeYaml(1 << 20).load("r", OutputTree.RELATIONSHIPS)),
                                JsonText.stringify(new SafeYaml(1 << 20).load("o", OutputTree.ORDER)),
                                JsonText.stringify(
                                        Map.of("weird", "quotes \" back \\ nl \n tab \t ctl \u001f uni é 😀"))))
                + "\n";
        assertThat(out.toString()).isEqualTo(expected);
    }
}
