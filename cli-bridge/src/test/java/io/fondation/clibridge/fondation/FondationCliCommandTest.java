package io.fondation.clibridge.fondation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.process.ProcessSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FondationCliCommandTest {

    @TempDir
    Path dir;

    @Test
    void resumingAtAStepListsThatStepAndTheLaterOnes() {
        Path cli = dir.resolve("cli.mjs");
        Path repo = dir.resolve("repo");
        assertThat(FondationCliCommand.builder()
                        .cliPath(cli)
                        .repository(repo)
                        .resumeFrom(5)
                        .build()
                        .command())
                .endsWith("--steps", "review-chapters,generate-tutorials");
        assertThat(FondationCliCommand.builder()
                        .cliPath(cli)
                        .repository(repo)
                        .resumeFrom(2)
                        .build()
                        .command())
                .endsWith("--steps", "analyze,order,generate-chapters,review-chapters,generate-tutorials");
        assertThat(FondationCliCommand.builder()
                        .cliPath(cli)
                        .repository(repo)
                        .resumeFrom(1)
                        .build()
                        .command())
                .as("from the start: no --steps")
                .doesNotContain("--steps");
        assertThat(FondationCliCommand.stepsFrom(6)).containsExactly("generate-tutorials");
        assertThatThrownBy(() -> FondationCliCommand.stepsFrom(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FondationCliCommand.stepsFrom(7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 7");
    }

    @Test
    void buildsTheProductionInvocation() {
        Path cli = dir.resolve("cli/dist/cli.bundled.mjs");
        Path repo = dir.resolve("job-1/repo");
        ProcessSpec spec = FondationCliCommand.builder()
                .runtime("bun")
                .cliPath(cli)
                .repository(repo)
                .environment(Map.of("PATH", "/usr/bin", "HOME", "/home/worker"))
                .build();
        assertThat(spec.command())
                .containsExactly("bun", cli.toString(), "analyze", repo.toString(), "--profile", "production");
        assertThat(spec.workingDirectory()).isEqualTo(repo);
        assertThat(spec.timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(spec.environment()).containsOnlyKeys("PATH", "HOME");
    }

    @Test
    void addsEveryOptionAsSeparateArguments() {
        Path cli = dir.resolve("cli.mjs");
        Path repo = dir.resolve("repo");
        Path out = dir.resolve("out dir");
        ProcessSpec spec = FondationCliCommand.builder()
                .runtime("node")
                .cliPath(cli)
                .repository(repo)
                .profile("dev")
                .outputDir(out)
                .model("claude-sonnet-4-5")
                .steps(List.of("extract", "analyze", "order"))
                .overwrite(true)
                .workingDirectory(dir)
                .timeout(Duration.ofMinutes(5))
                .killGrace(Duration.ofSeconds(3))
                .claudeMaxRetries(1)
                .apiTimeout(Duration.ofSeconds(120))
                .environment(Map.of("PATH", "/usr/bin"))
                .build();
        assertThat(spec.command())
                .containsExactly(
                        "node",
                        cli.toString(),
                        "analyze",
                        repo.toString(),
                        "--profile",
                        "dev",
                        "--output-dir",
                        out.toString(),
                        "--model",
                        "claude-sonnet-4-5",
                        "--steps",
                        "extract,analyze,order",
                        "--overwrite");
        assertThat(spec.workingDirectory()).isEqualTo(dir);
        assertThat(spec.environment())
                .containsEntry("CLAUDE_OUTPUT_DIR", out.toString())
                .containsEntry("CLAUDE_CODE_MAX_RETRIES", "1")
                .containsEntry("API_TIMEOUT_MS", "120000");
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(spec.killGrace()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void withoutRuntimeTheCliIsTheExecutableAndExistingSettingsWin() {
        ProcessSpec spec = FondationCliCommand.builder()
                .cliPath(Path.of("/opt/fondation"))
                .repository(dir)
                .claudeMaxRetries(0)
                .environment(Map.of("CLAUDE_CODE_MAX_RETRIES", "2"))
                .build();
        assertThat(spec.command().get(0)).isEqualTo("/opt/fondation");
        assertThat(spec.environment()).containsEntry("CLAUDE_CODE_MAX_RETRIES", "2");
    }

    @Test
    void validatesItsParts() {
        assertThatThrownBy(() -> FondationCliCommand.builder().repository(dir).build())
                .hasMessageContaining("CLI_PATH");
        assertThatThrownBy(() -> FondationCliCommand.builder().cliPath(dir).build())
                .hasMessageContaining("repository");
        assertThatThrownBy(() -> FondationCliCommand.builder()
                        .cliPath(dir)
                        .repository(dir)
                        .steps(List.of("extract", "dance"))
                        .build())
                .hasMessageContaining("'dance'");
        assertThatThrownBy(() -> FondationCliCommand.builder()
                        .cliPath(dir)
                        .repository(dir)
                        .model("--help")
                        .build())
                .hasMessageContaining("model");
        assertThatThrownBy(() -> FondationCliCommand.builder()
                        .cliPath(dir)
                        .repository(dir)
                        .profile("")
                        .build())
                .hasMessageContaining("profile");
        assertThatThrownBy(() -> FondationCliCommand.builder()
                        .cliPath(dir)
                        .repository(dir)
                        .steps(List.of("order", "order"))
                        .build())
                .hasMessageContaining("duplicates");
    }

    @Test
    void aRelativeRepositoryThatLooksLikeAnOptionBecomesAnAbsolutePath() {
        ProcessSpec spec = FondationCliCommand.builder()
                .cliPath(Path.of("cli.mjs"))
                .repository(Path.of("--evil"))
                .build();
        assertThat(spec.command().get(2)).startsWith("/").endsWith("--evil");
    }
}
