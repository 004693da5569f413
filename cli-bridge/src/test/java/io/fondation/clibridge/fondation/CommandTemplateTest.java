package io.fondation.clibridge.fondation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandTemplateTest {

    @TempDir
    Path dir;

    @Test
    void substitutesPlaceholdersInsideEachElement() {
        CommandTemplate template = CommandTemplate.parse(List.of(
                "claude",
                "-p",
                "{prompt}",
                "--output-format",
                "stream-json",
                "--add-dir={repo}",
                "--settings",
                "{\"model\":\"x\"}",
                "{outputDir}/{jobId}.log"));
        assertThat(template.placeholders()).containsExactlyInAnyOrder("prompt", "repo", "outputDir", "jobId");
        List<String> argv = template.render(Map.of(
                "prompt", "Explain this repo; rm -rf / $(id)", "repo", "/tmp/r", "outputDir", "/tmp/o", "jobId", "j1"));
        assertThat(argv)
                .containsExactly(
                        "claude",
                        "-p",
                        "Explain this repo; rm -rf / $(id)",
                        "--output-format",
                        "stream-json",
                        "--add-dir=/tmp/r",
                        "--settings",
                        "{\"model\":\"x\"}",
                        "/tmp/o/j1.log");
    }

    @Test
    void valuesWithDollarsAndBackslashesAreInsertedLiterally() {
        assertThat(CommandTemplate.parse(List.of("x", "{prompt}")).render(Map.of("prompt", "$1 \\ {repo}")))
                .containsExactly("x", "$1 \\ {repo}");
    }

    @Test
    void aMissingValueNamesThePlaceholder() {
        CommandTemplate template = CommandTemplate.parse(List.of("x", "{repo}", "{jobId}"));
        assertThatThrownBy(() -> template.render(Map.of("repo", "/r"))).hasMessageContaining("{jobId}");
    }

    @Test
    void rejectsAnEmptyTemplate() {
        assertThatThrownBy(() -> CommandTemplate.parse(List.of())).hasMessageContaining("executable");
        assertThatThrownBy(() -> CommandTemplate.parse(List.of(" "))).hasMessageContaining("executable");
    }

    @Test
    void eachRenderedElementReachesTheChildAsOneArgument() throws Exception {
        List<String> template = new ArrayList<>(Fixtures.bash("args.sh"));
        template.add("{prompt}");
        template.add("--repo={repo}");
        List<String> argv =
                CommandTemplate.parse(template).render(Map.of("prompt", "a b; echo injected", "repo", "x y"));
        List<String> lines = new ArrayList<>();
        ProcessOutcome outcome = new ProcessRunner()
                .start(
                        new ProcessSpec(argv, dir, Fixtures.minimalEnv(), Duration.ofSeconds(30), null),
                        (channel, line) -> lines.add(line))
                .await();
        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines).startsWith("<a b; echo injected>", "<--repo=x y>").doesNotContain("injected");
    }
}
