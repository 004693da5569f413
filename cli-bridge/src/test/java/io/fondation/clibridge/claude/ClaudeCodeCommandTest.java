package io.fondation.clibridge.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.process.Confinement;
import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.resume.OutputFileCheck;
import io.fondation.clibridge.resume.ResumePlan;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClaudeCodeCommandTest {

    private static final Path CLAUDE = Path.of("/opt/claude/bin/claude");
    private static final Path REPO = Path.of("/w/job/repo");
    private static final Path OUT = Path.of("/w/job/output");
    private static final Path HOME = Path.of("/w/job/home");

    private final AtomicReference<Confinement> confined = new AtomicReference<>();
    private final Containment recording = new Containment() {
        @Override
        public ContainmentStatus status() {
            return new ContainmentStatus(ContainmentStatus.Level.NONE, "test", "");
        }

        @Override
        public ProcessSpec wrap(ProcessSpec spec, Confinement confinement) {
            confined.set(confinement);
            return spec;
        }
    };

    private ClaudeCodeCommand.Builder builder() {
        return ClaudeCodeCommand.builder()
                .executable(CLAUDE)
                .repository(REPO)
                .outputDir(OUT)
                .home(HOME)
                .environment(Map.of("PATH", "/usr/bin", "ANTHROPIC_API_KEY", "sk-ant-FAKE"))
                .prompt("Teach the queue.")
                .containment(recording);
    }

    @Test
    void runsOneHeadlessStreamJsonSessionWithFewToolsAndThePromptAfterTheOptions() {
        ProcessSpec spec =
                builder().maxTurns(150).maxBudgetUsd(new BigDecimal("12.50")).build();
        List<String> argv = spec.command();

        assertThat(argv.subList(0, 5))
                .containsExactly(CLAUDE.toString(), "-p", "--output-format", "stream-json", "--verbose");
        assertThat(after(argv, "--model")).isEqualTo(ClaudeCodeCommand.DEFAULT_MODEL);
        assertThat(after(argv, "--tools")).isEqualTo("Read,Glob,Grep,Write,Edit");
        assertThat(after(argv, "--permission-mode")).isEqualTo("dontAsk");
        assertThat(after(argv, "--settings"))
                .contains(
                        "[\"Read(//w/job/repo/**)\",\"Read(//w/job/output/**)\",\"Write(//w/job/output/**)\","
                                + "\"Edit(//w/job/output/**)\"]",
                        "\"defaultMode\":\"dontAsk\"");
        assertThat(argv).contains("--restricted", "--safe-mode", "--strict-mcp-config", "--no-session-persistence");
        assertThat(after(argv, "--setting-sources")).isEmpty();
        assertThat(after(argv, "--add-dir")).isEqualTo(OUT.toString());
        assertThat(after(argv, "--max-turns")).isEqualTo("150");
        assertThat(after(argv, "--max-budget-usd")).isEqualTo("12.50");
        assertThat(after(argv, "--append-system-prompt"))
                .contains(OUT + "/step1_abstractions.yaml", OUT + "/chapters/chapter_<n>_<slug>.md");
        assertThat(argv.get(argv.size() - 2)).isEqualTo("--");
        assertThat(argv.get(argv.size() - 1)).startsWith("Teach the queue.").contains(REPO.toString());
        assertThat(spec.workingDirectory()).isEqualTo(REPO);
        assertThat(String.join(" ", argv)).doesNotContain("sk-ant-FAKE");
    }

    @Test
    void aResumedRunIsToldTheFinalFilesTheStepToStartAtAndWhatIsLeft() {
        Map<String, String> earlier = new LinkedHashMap<>();
        earlier.put("step1_abstractions.yaml", "- name: Queue\n  description: Jobs.\n- name: Worker\n");
        earlier.put("step2_relationships.yaml", "summary: s\nrelationships: []\n");
        earlier.put("step3_order.yaml", "order:\n  - index: 0\n    name: Queue\n  - index: 1\n    name: Worker\n");
        earlier.put("chapters/chapter_1_queue.md", "# Chapter 1: Queue\n");
        ResumePlan plan = ResumePlan.of(earlier);

        List<String> argv = builder().resume(plan).build().command();

        String prompt = argv.get(argv.size() - 1);
        assertThat(prompt)
                .startsWith("Teach the queue.")
                .contains(
                        "This run resumes an earlier one that was interrupted. These files in " + OUT
                                + " are final: read them where a later step needs them, but do not write, edit or"
                                + " delete them:\n- step1_abstractions.yaml\n- step2_relationships.yaml\n"
                                + "- step3_order.yaml\n- chapters/chapter_1_queue.md\n",
                        "Start at step 4. Still to write, as your instructions describe:\n"
                                + "- chapters/chapter_2_worker.md (chapter 2: Worker)\n"
                                + "- reviewed-chapters/chapter_1_queue.md (chapter 1: Queue)\n");
        assertThat(builder().resume(ResumePlan.fromStart()).build().command().get(argv.size() - 1))
                .as("nothing to resume: the usual prompt")
                .doesNotContain("resumes");
        ResumePlan complete = ResumePlan.of(earlier, true, OutputFileCheck.withDefaults());
        assertThat(complete.isComplete()).isTrue();
        assertThatThrownBy(() -> builder().resume(complete).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no analyzer runs");
    }

    @Test
    void theEnvironmentFailsFastAndSaysNothingAboutTheRun() {
        Map<String, String> env = builder()
                .environment(Map.of("PATH", "/usr/bin", "CLAUDE_CODE_MAX_RETRIES", "10", "HOME", "/root"))
                .configDirectory(Path.of("/home/worker/.claude"))
                .apiTimeout(Duration.ofSeconds(90))
                .build()
                .environment();
        assertThat(env)
                .containsEntry("HOME", HOME.toString())
                .containsEntry("CLAUDE_CONFIG_DIR", "/home/worker/.claude")
                .containsEntry("CLAUDE_CODE_MAX_RETRIES", "1")
                .containsEntry("API_TIMEOUT_MS", "90000")
                .containsEntry("DISABLE_AUTOUPDATER", "1")
                .containsEntry("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
                .containsEntry("DISABLE_TELEMETRY", "1")
                .containsEntry("DISABLE_ERROR_REPORTING", "1");
    }

    @Test
    void onlyTheOutputAndTheStateDirectoryAreWritable() {
        builder()
                .configDirectory(Path.of("/home/worker/.claude"))
                .hide(Path.of("/w"))
                .build();
        Confinement confinement = confined.get();
        assertThat(confinement.writable()).containsExactly(OUT, HOME);
        assertThat(confinement.readOnly()).containsExactly(REPO, Path.of("/home/worker/.claude"));
        assertThat(confinement.privateDirectories()).containsExactly(Confinement.TMP);
        assertThat(confinement.hidden()).containsExactly(Path.of("/w"));
        assertThat(confinement.network()).isTrue();
    }

    @Test
    void aPromptThatLooksLikeAnOptionStaysAPrompt() {
        List<String> argv =
                builder().prompt("--dangerously-skip-permissions").build().command();
        assertThat(argv.indexOf("--dangerously-skip-permissions")).isEqualTo(-1);
        assertThat(argv.get(argv.size() - 1)).startsWith("--dangerously-skip-permissions\n");
        assertThat(builder().prompt(" ").build().command())
                .last()
                .asString()
                .startsWith(OutputContract.DEFAULT_REQUEST);
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> builder().containment(null).build()).hasMessageStartingWith("containment");
        assertThatThrownBy(() -> builder().home(null).build()).hasMessageStartingWith("home");
        assertThatThrownBy(() -> builder().model("--evil").build()).hasMessageContaining("model");
        assertThatThrownBy(() -> builder().maxTurns(0).build()).hasMessageContaining("maxTurns");
        assertThatThrownBy(() -> builder().maxBudgetUsd(BigDecimal.ZERO).build())
                .hasMessageContaining("maxBudgetUsd");
        assertThatThrownBy(() -> builder().outputDir(Path.of("/w/job/out*")).build())
                .hasMessageContaining("permission rule");
        assertThatThrownBy(() -> builder().prompt("x".repeat(200_000)).build()).hasMessageContaining("too long");
    }

    private static String after(List<String> argv, String option) {
        return argv.get(argv.indexOf(option) + 1);
    }
}
