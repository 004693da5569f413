package io.fondation.clibridge;

import io.fondation.clibridge.claude.ClaudeCodeCommand;
import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ContainmentProbe;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A job's workspace as the worker lays it out ({@code workspaces/job-1/repo}, {@code output},
 * {@code home}), and the real Claude Code CLI set up to analyse it in the sandbox against a base URL.
 */
final class ClaudeCodeWorkspace implements AutoCloseable {

    /** Obviously fake, but shaped like a key, so the redactor would recognise it too. */
    static final String FAKE_KEY = "sk-ant-FAKE-key";

    private static Containment sandbox;

    final Path root;
    final Path workspaces;
    final Path repo;
    final Path out;
    final Path home;
    final AnalysisRunner runner = new AnalysisRunner(
                    new ProcessRunner(), new OutputCollector(OutputLimits.defaults()), new FailureClassifier())
            .withOutputProgress(Duration.ofMillis(50));

    private ScriptedMessagesApi api;

    ClaudeCodeWorkspace(Path root) throws IOException {
        this.root = root;
        this.workspaces = root.resolve("workspaces");
        Path job = workspaces.resolve("job-1");
        repo = Files.createDirectories(job.resolve("repo"));
        out = Files.createDirectories(job.resolve("output"));
        home = Files.createDirectories(job.resolve("home"));
        Files.writeString(repo.resolve("README.md"), "# Queue\n\nA job queue.\n");
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("src/queue.ts"), "export class Queue {}\n");
    }

    /** Starts the scripted API for this workspace; {@link #close()} stops it. */
    ScriptedMessagesApi serve(Scenario scenario) {
        api = ScriptedMessagesApi.start(scenario);
        return api;
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
    }

    /** The sandbox, probed once for all tests. */
    static synchronized Containment sandbox() {
        if (sandbox == null) {
            sandbox = ContainmentProbe.detect();
        }
        return sandbox;
    }

    /** The worker's environment: an API key, the base URL, and a worker secret that must not pass. */
    static Map<String, String> workerEnvironment(String baseUrl) {
        Map<String, String> worker = new HashMap<>(Fixtures.minimalEnv());
        worker.put("ANTHROPIC_BASE_URL", baseUrl);
        worker.put("ANTHROPIC_API_KEY", FAKE_KEY);
        worker.put("GITHUB_TOKEN", "ghp_" + "notarealtoken".repeat(3));
        return worker;
    }

    /** The command for this workspace against {@code baseUrl}, with short limits for tests. */
    ClaudeCodeCommand.Builder command(String baseUrl) {
        return command(EnvironmentPolicy.defaults().filter(workerEnvironment(baseUrl), null));
    }

    ClaudeCodeCommand.Builder command(Map<String, String> environment) {
        return ClaudeCodeCommand.builder()
                .executable(ClaudeCodeInstallation.executable())
                .repository(repo)
                .outputDir(out)
                .home(home)
                .hide(workspaces)
                .environment(environment)
                .prompt("Write a course about this queue.")
                .maxRetries(0)
                .apiTimeout(Duration.ofSeconds(20))
                .timeout(Duration.ofMinutes(2))
                .killGrace(Duration.ofSeconds(2))
                .containment(sandbox());
    }

    /** Runs the command to its end. */
    AnalysisReport run(ClaudeCodeCommand.Builder command, AnalysisListener listener) throws InterruptedException {
        return runner.start(command.build(), out, listener).await();
    }
}
