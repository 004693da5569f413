package io.fondation.clibridge;

import static io.fondation.clibridge.ClaudeCodeWorkspace.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The credential goes to the CLI through its environment only: never in any process's arguments
 * (read from {@code /proc/<pid>/cmdline} while the CLI runs), in the logs, in the report, or in
 * anything sent to the model; and worker secrets do not reach the CLI at all.
 */
class ClaudeCodeSecrecyTest {

    @TempDir
    Path dir;

    ClaudeCodeWorkspace workspace;
    ScriptedMessagesApi api;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        workspace = new ClaudeCodeWorkspace(dir);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        root.detachAppender(logs);
        workspace.close();
    }

    @Test
    void theKeyIsInNoArgumentLogReportOrRequestBody() throws Exception {
        api = workspace.serve(Scenario.hang());
        Set<Long> before = descendantPids();
        RunningAnalysis analysis =
                workspace.runner.start(workspace.command(api.baseUrl()).build(), workspace.out, new AnalysisListener() {
                    @Override
                    public void onLine(OutputChannel channel, String line) {
                        lines.add(line);
                    }
                });

        // While the first request hangs, the whole tree is alive: read what each process was given.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !api.messageRequests().isEmpty());
        List<ProcessHandle> tree = ProcessHandle.current()
                .descendants()
                .filter(p -> !before.contains(p.pid()))
                .toList();
        List<String> commandLines = tree.stream().map(p -> read(p, "cmdline")).toList();
        assertThat(commandLines).anyMatch(c -> c.contains("stream-json")).noneMatch(c -> c.contains(FAKE_KEY));
        String cli = ClaudeCodeInstallation.executable().toString();
        String cliEnvironment = tree.stream()
                .filter(p -> read(p, "cmdline").startsWith(cli + " -p "))
                .map(p -> read(p, "environ"))
                .findFirst()
                .orElseThrow();
        assertThat(cliEnvironment).contains("ANTHROPIC_API_KEY=" + FAKE_KEY).doesNotContain("GITHUB_TOKEN");
        // Canceling makes the runner log what it does, so the logs checked below are not empty.
        analysis.cancel();
        AnalysisReport report = analysis.await();

        assertThat(report.failure()).get().extracting(JobFailure::kind).isEqualTo(FailureKind.CANCELED);
        assertThat(logs.list)
                .isNotEmpty()
                .noneMatch(e -> e.getFormattedMessage().contains(FAKE_KEY));
        assertThat(lines).anyMatch(l -> l.contains("\"subtype\":\"init\"")).noneMatch(l -> l.contains(FAKE_KEY));
        assertThat(report.toString()).doesNotContain(FAKE_KEY);
        assertThat(report.outcome().stdoutTail() + report.outcome().stderrTail())
                .doesNotContain(FAKE_KEY);
        assertThat(api.messageRequests()).allSatisfy(r -> {
            assertThat(r.body()).doesNotContain(FAKE_KEY);
            assertThat(r.header("x-api-key")).contains(FAKE_KEY);
        });
    }

    private static Set<Long> descendantPids() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** {@code /proc/<pid>/<file>} with its NUL separators as spaces; empty if the process is gone. */
    private static String read(ProcessHandle process, String file) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), file));
            return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
