package io.fondation.clibridge.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentPolicyTest {

    @TempDir
    Path dir;

    private static Map<String, String> workerEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", "/root");
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");
        env.put("TZ", "UTC");
        env.put("NODE_PATH", "/app/node_modules");
        env.put("CLAUDE_CODE_OAUTH_TOKEN", "test-oauth");
        env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");
        env.put("CONVEX_URL", "https://example.invalid");
        env.put("CONVEX_DEPLOY_KEY", "test-deploy-key");
        env.put("ENCRYPTION_KEY", "test-encryption");
        env.put("GITHUB_TOKEN", "test-github");
        env.put("GH_TOKEN", "test-gh");
        env.put("WORKER_SECRET", "test-worker");
        env.put("WORKER_ID", "w1");
        env.put("CALLBACK_TOKEN", "test-callback");
        env.put("SOMETHING_ELSE", "x");
        env.put("MY_TOOL_HOME", "/opt/tool");
        return env;
    }

    @Test
    void defaultsPassWhatTheAnalyzerNeedsAndNothingElse() {
        Map<String, String> out = EnvironmentPolicy.defaults().filter(workerEnvironment(), Path.of("/home/worker"));
        assertThat(out)
                .containsOnlyKeys(
                        "PATH",
                        "HOME",
                        "LANG",
                        "LC_ALL",
                        "TZ",
                        "NODE_PATH",
                        "CLAUDE_CODE_OAUTH_TOKEN",
                        "ANTHROPIC_BASE_URL");
        assertThat(out).containsEntry("HOME", "/home/worker");
    }

    @Test
    void homeComesFromTheSourceWhenNotGiven() {
        assertThat(EnvironmentPolicy.defaults().filter(workerEnvironment(), null))
                .containsEntry("HOME", "/root");
        assertThat(EnvironmentPolicy.defaults().filter(Map.of("PATH", "/bin"), null))
                .doesNotContainKey("HOME");
    }

    @Test
    void extrasAddExactNamesAndPrefixes() {
        EnvironmentPolicy policy = EnvironmentPolicy.defaults().withExtras(List.of("SOMETHING_ELSE", "MY_TOOL_*"));
        Map<String, String> out = policy.filter(workerEnvironment(), null);
        assertThat(out).containsEntry("SOMETHING_ELSE", "x").containsEntry("MY_TOOL_HOME", "/opt/tool");
        assertThat(out).doesNotContainKeys("CONVEX_URL", "GITHUB_TOKEN", "ENCRYPTION_KEY");
    }

    @Test
    void secretsCannotBeAddedAsExtras() {
        for (String name : List.of(
                "GITHUB_TOKEN",
                "ENCRYPTION_KEY",
                "CONVEX_DEPLOY_KEY",
                "CONVEX_*",
                "GIT*",
                "WORKER_SECRET",
                "FONDATION_WORKER_SECRET",
                "C*")) {
            assertThatThrownBy(() -> EnvironmentPolicy.defaults().withExtras(List.of(name)))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("never passed");
        }
        assertThatThrownBy(() -> EnvironmentPolicy.defaults().withExtras(List.of("BAD NAME")))
                .hasMessageContaining("'BAD NAME'");
        assertThatThrownBy(() -> EnvironmentPolicy.defaults().withExtras(List.of("*")))
                .hasMessageContaining("'*'");
    }

    @Test
    void aRealChildSeesNoneOfTheWorkersSecrets() throws Exception {
        Map<String, String> env = EnvironmentPolicy.defaults().filter(workerEnvironment(), dir);
        List<String> lines = new ArrayList<>();
        ProcessOutcome outcome = new ProcessRunner()
                .start(
                        new ProcessSpec(Fixtures.bash("env-and-stdin.sh"), dir, env, Duration.ofSeconds(30), null),
                        (channel, line) -> {
                            if (channel == OutputChannel.STDOUT) {
                                lines.add(line);
                            }
                        })
                .await();
        assertThat(outcome.succeeded()).isTrue();
        assertThat(lines).contains("CLAUDE_CODE_OAUTH_TOKEN=test-oauth", "HOME=" + dir);
        assertThat(String.join("\n", lines))
                .doesNotContain(
                        "test-deploy-key",
                        "test-encryption",
                        "test-github",
                        "test-gh",
                        "test-worker",
                        "test-callback",
                        "CONVEX_URL");
    }
}
