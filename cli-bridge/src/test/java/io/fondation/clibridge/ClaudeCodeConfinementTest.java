package io.fondation.clibridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.testing.FileSnapshot;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI told to write outside its output directory: the job fails and nothing
 * outside changes, whether its own rules refuse the writes or, when they let them through, the sandbox.
 */
class ClaudeCodeConfinementTest {

    @TempDir
    Path dir;

    ClaudeCodeWorkspace workspace;
    ScriptedMessagesApi api;
    Path hostTmp;
    Path buildDir;

    @BeforeEach
    void setUp() throws Exception {
        workspace = new ClaudeCodeWorkspace(dir);
        long pid = ProcessHandle.current().pid();
        hostTmp = Path.of("/tmp", "fondation-escape-" + pid + ".md");
        // On the read-only root of the sandbox, outside any temporary directory.
        buildDir = Path.of("target", "escape-" + pid + ".md").toAbsolutePath();
    }

    @AfterEach
    void tearDown() throws Exception {
        workspace.close();
        Files.deleteIfExists(hostTmp);
        Files.deleteIfExists(buildDir);
    }

    @Test
    void writesOutsideAreRefusedAndFailTheJob() throws Exception {
        Path job = workspace.out.getParent();
        api = workspace.serve(Scenario.conversation(
                Turn.tools(
                        ToolCall.write(workspace.out.resolve("chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n"),
                        ToolCall.write(job.resolve("elsewhere.md"), "escaped\n"),
                        ToolCall.edit(workspace.repo.resolve("README.md"), "A job queue.", "Owned."),
                        ToolCall.write(workspace.out + "/../escape.md", "escaped\n"),
                        ToolCall.write("chapters/relative.md", "escaped\n"),
                        ToolCall.write(workspace.home.resolve(".bashrc"), "escaped\n"),
                        ToolCall.write(hostTmp, "escaped\n"),
                        ToolCall.write(buildDir, "escaped\n")),
                Turn.text("DONE")));
        Map<Path, String> before = outsideOutputAndHome();

        AnalysisReport report = workspace.run(workspace.command(api.baseUrl()), null);

        JobFailure failure = report.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(failure.message())
                .startsWith("the analyzer tried to write outside its output directory (Write "
                        + job.resolve("elsewhere.md"))
                .contains("Edit " + workspace.repo.resolve("README.md"))
                .contains("Write " + workspace.repo.resolve("chapters/relative.md"));
        assertThat(report.details()).containsEntry(AnalysisRunner.WRITES_OUTSIDE, 7);
        assertThat(outsideOutputAndHome()).isEqualTo(before);
        assertThat(workspace.home.resolve(".bashrc")).doesNotExist();
        assertThat(hostTmp).doesNotExist();
        assertThat(buildDir).doesNotExist();
        // The allowed write did happen: only the others were refused.
        assertThat(workspace.out.resolve("chapters/chapter_1_queue.md")).exists();
        List<String> results = api.messageRequests().get(1).toolResults();
        assertThat(results).hasSize(8);
        assertThat(results.get(0)).startsWith("File created successfully");
        assertThat(results.subList(1, 8))
                .allMatch(r -> r.contains("--restricted confines the file tools") || r.contains("has been denied"));
    }

    @Test
    void whenTheClisOwnRulesLetWritesThroughTheSandboxStillStopsThem() throws Exception {
        Path job = workspace.out.getParent();
        api = workspace.serve(Scenario.conversation(
                Turn.tools(
                        ToolCall.write(job.resolve("elsewhere.md"), "escaped\n"),
                        ToolCall.write(workspace.repo.resolve("README.md"), "Owned.\n"),
                        ToolCall.write(hostTmp, "escaped\n"),
                        ToolCall.write(buildDir, "escaped\n")),
                Turn.text("DONE")));
        Map<Path, String> before = outsideOutputAndHome();
        // why: opens the CLI's rules wide ("Write" allowed anywhere, as --allowedTools Write does), so
        // only the sandbox stands between the tool calls and the file system.
        ProcessSpec open = openRules(workspace.command(api.baseUrl()).build());

        AnalysisReport report =
                workspace.runner.start(open, workspace.out, null).await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(outsideOutputAndHome()).isEqualTo(before);
        assertThat(hostTmp).doesNotExist();
        assertThat(buildDir).doesNotExist();
        List<String> results = api.messageRequests().get(1).toolResults();
        // The CLI did let the writes through: into the sandbox's throw-away directories, or onto its
        // read-only file system.
        assertThat(results).anyMatch(r -> r.contains("File created successfully at: " + hostTmp));
        assertThat(results).anyMatch(r -> r.contains("EROFS"));
    }

    /** Everything in the temporary directory except the output and the CLI's own state. */
    private Map<Path, String> outsideOutputAndHome() throws Exception {
        Map<Path, String> files = FileSnapshot.of(dir);
        files.keySet().removeIf(p -> p.startsWith(workspace.out) || p.startsWith(workspace.home));
        return files;
    }

    private static ProcessSpec openRules(ProcessSpec spec) {
        List<String> argv = new ArrayList<>(spec.command());
        argv.remove("--restricted");
        int settings = argv.indexOf("--settings");
        argv.set(settings + 1, "{\"permissions\":{\"allow\":[\"Write\",\"Edit\"],\"defaultMode\":\"acceptEdits\"}}");
        argv.set(argv.indexOf("dontAsk"), "acceptEdits");
        return new ProcessSpec(argv, spec.workingDirectory(), spec.environment(), spec.timeout(), spec.killGrace());
    }
}
