package io.fondation.worker.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.AnalysisRunner;
import io.fondation.clibridge.failure.FailureClassifier;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.engine.analyzer.AnalyzerContainment;
import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.preflight.AnalyzerCheck;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.JobLease;
import io.fondation.worker.config.WorkerConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the worker launches and checks the claude analyzer: its environment, its sandbox, its start-up check. */
class ClaudeLaunchTest {

    private static final String KEY = "fake-claude-launch-key-0123";
    private static final ClaimedJob JOB = new ClaimedJob(
            "job-9", CloneSource.ofUrl("/tmp/x", null), "", 1, 5, new JobLease("job-9", "w1", "t", Instant.EPOCH));

    @TempDir
    Path temp;

    private Map<String, String> worker(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("ANTHROPIC_") || name.startsWith("CLAUDE_"));
        env.put("HOME", temp.toString());
        env.put("ANALYZER", "claude");
        env.put("CLAUDE_PATH", ClaudeCodeInstallation.executable().toString());
        env.put("CLAUDE_MAX_TURNS", "12");
        env.put("GITHUB_TOKEN", "ghp_FAKEFAKEFAKEFAKE");
        env.put("FONDATION_WORKER_SECRET", "fake-worker-secret-for-launch");
        env.putAll(extra);
        return env;
    }

    private static AnalyzerSettings settings(Map<String, String> env) {
        return WorkerConfigLoader.load(env).analyzer();
    }

    private static AnalyzerLauncher launcher(AnalyzerSettings settings, Map<String, String> env, Containment held) {
        return new AnalyzerLauncher(
                settings,
                env,
                new AnalysisRunner(
                        new ProcessRunner(), new OutputCollector(OutputLimits.defaults()), new FailureClassifier()),
                new AnalyzerContainment(held),
                java.util.List.of());
    }

    @Test
    void theCliGetsItsCredentialAndBaseUrlButNoWorkerSecretNorWorkerSettingAndRunsInTheSandbox() throws Exception {
        Map<String, String> env = worker(Map.of(
                "ANTHROPIC_API_KEY",
                KEY,
                "ANTHROPIC_BASE_URL",
                "http://127.0.0.1:9",
                "CLAUDE_CODE_OAUTH_TOKEN",
                KEY + "-oauth"));
        Path workspaces = Files.createDirectories(temp.resolve("tmp"));
        AnalyzerLauncher launcher = AnalyzerLauncher.withDefaults(
                settings(env), env, 1 << 20, java.util.List.of(workspaces), java.util.Map.of());
        Path job = Files.createDirectories(workspaces.resolve("w1/job-9"));
        Path repo = Files.createDirectories(job.resolve("repo"));
        Path out = Files.createDirectories(job.resolve("output"));

        ProcessSpec spec = launcher.spec(JOB, repo, out, job.resolve("home"));

        assertThat(launcher.containment().status().level()).isEqualTo(ContainmentStatus.Level.SANDBOX);
        assertThat(spec.environment())
                .containsEntry("ANTHROPIC_API_KEY", KEY)
                .containsEntry("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
                .containsEntry("CLAUDE_CODE_OAUTH_TOKEN", KEY + "-oauth")
                .containsEntry("HOME", job.resolve("home").toString())
                .containsEntry("CLAUDE_CODE_MAX_RETRIES", "1")
                .doesNotContainKeys("GITHUB_TOKEN", "FONDATION_WORKER_SECRET", "CLAUDE_MAX_TURNS", "CLAUDE_PATH");
        assertThat(spec.command().get(0)).endsWith("bwrap");
        assertThat(String.join(" ", spec.command()))
                .contains("--max-turns 12")
                .contains("--tmpfs " + workspaces)
                .doesNotContain(KEY);
        assertThat(job.resolve("home")).isDirectory();
        assertThat(launcher.credentialSources()).containsExactly("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY");
        assertThat(launcher.redact("the gateway said: bad key " + KEY + "-oauth and " + KEY))
                .isEqualTo("the gateway said: bad key [REDACTED] and [REDACTED]");
    }

    @Test
    void theStartUpCheckWantsTheBinaryACredentialAndASandbox() {
        Map<String, String> noCredential = worker(Map.of());
        AnalyzerSettings settings = settings(noCredential);
        Containment sandbox = AnalyzerContainment.probed().containment();

        Optional<ConfigurationException> missing = new AnalyzerCheck(
                        settings(worker(
                                Map.of("CLAUDE_PATH", temp.resolve("claude").toString()))),
                        noCredential,
                        launcher(settings, noCredential, sandbox))
                .problem();
        assertThat(missing).hasValueSatisfying(e -> assertThat(e.getMessage()).startsWith("CLAUDE_PATH: "));

        Optional<ConfigurationException> anonymous =
                new AnalyzerCheck(settings, noCredential, launcher(settings, noCredential, sandbox)).problem();
        assertThat(anonymous)
                .hasValueSatisfying(e -> assertThat(e.getMessage())
                        .startsWith("CLAUDE_CODE_OAUTH_TOKEN: the claude analyzer has no credential")
                        .contains("ANTHROPIC_API_KEY")
                        .contains("CLAUDE_CONFIG_DIR"));

        Map<String, String> withKey = worker(Map.of("ANTHROPIC_API_KEY", KEY));
        assertThat(new AnalyzerCheck(settings(withKey), withKey, launcher(settings(withKey), withKey, sandbox))
                        .problem())
                .isEmpty();

        Containment none = Containment.none("no user namespaces in this container");
        Optional<ConfigurationException> unconfined =
                new AnalyzerCheck(settings(withKey), withKey, launcher(settings(withKey), withKey, none)).problem();
        assertThat(unconfined)
                .hasValueSatisfying(e -> assertThat(e.getMessage())
                        .startsWith("CLAUDE_ALLOW_UNCONFINED: the claude analyzer runs only in a sandbox")
                        .contains("CLAUDE_ALLOW_UNCONFINED=true")
                        .doesNotContain(KEY));

        Map<String, String> allowed = worker(Map.of("ANTHROPIC_API_KEY", KEY, "CLAUDE_ALLOW_UNCONFINED", "true"));
        assertThat(new AnalyzerCheck(settings(allowed), allowed, launcher(settings(allowed), allowed, none)).problem())
                .isEmpty();
    }
}
