package io.fondation.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.analyzer.ClaudeSettings;
import io.fondation.engine.analyzer.SandboxSettings;
import io.fondation.engine.git.GitClient;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerConfigLoaderTest {

    private static final Map<String, String> BASE = Map.of("HOME", "/home/tester", "HOSTNAME", "box1");

    private static WorkerConfig load(String... pairs) {
        Map<String, String> env = new HashMap<>(BASE);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return WorkerConfigLoader.load(env, Map.of());
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String name, String value) {
        return assertThatThrownBy(() -> load(name, value))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(
                        e -> assertThat(((ConfigurationException) e).setting()).isEqualTo(name))
                .hasMessageStartingWith(name + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void defaultsRecoverACrashedWorkersJobWithinAMinute() {
        WorkerConfig config = load();
        assertThat(config.workerId()).matches("worker-box1-[0-9a-f]{4}");
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.leaseTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.minFreeDiskBytes()).isEqualTo(500L * 1024 * 1024);
        assertThat(config.safetyPollInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.maxConcurrentJobs()).isEqualTo(1);
        assertThat(config.tempDir())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "fondation")
                        .toAbsolutePath());
        assertThat(config.queue().kind()).isEqualTo(QueueSettings.Kind.EMBEDDED);
        assertThat(config.queue().embeddedDbPath()).isEqualTo(Path.of("/home/tester/.local/share/fondation/queue.db"));
        assertThat(config.analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.FONDATION);
        assertThat(config.analyzer().cliRuntime()).isEqualTo("node");
        assertThat(config.analyzer().cliProfile()).isEqualTo("production");
        assertThat(config.analyzer().cliPath()).isNull();
        assertThat(config.analyzer().timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.analyzer().killGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.analyzer().progressLanguage()).isEqualTo("fr");
        assertThat(config.analyzer().envExtras()).isEmpty();
        assertThat(config.gitBaseUrl()).isEqualTo("https://github.com");
        assertThat(config.healthPort()).isEqualTo(8081);
        assertThat(config.healthHost()).isEqualTo("0.0.0.0");
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.optionalGithubToken()).isEmpty();
    }

    @Test
    void generatedWorkerIdsDiffer() {
        assertThat(load().workerId()).isNotEqualTo(load().workerId());
    }

    @Test
    void overridesWinOverTheEnvironment() {
        WorkerConfig config = WorkerConfigLoader.load(
                Map.of("POLL_INTERVAL", "100", "WORKER_ID", "from-env"), Map.of("WORKER_ID", "from-flag"));
        assertThat(config.workerId()).isEqualTo("from-flag");
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void blankValuesCountAsUnset() {
        assertThat(load("POLL_INTERVAL", "  ", "WORKER_ID", "").pollInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Nested
    class WorkerId {
        @Test
        void acceptsTheUsualForms() {
            assertThat(load("WORKER_ID", "worker-prod_1.eu:a@b").workerId()).isEqualTo("worker-prod_1.eu:a@b");
        }

        @ParameterizedTest
        @ValueSource(strings = {"has space", "semi;colon", "slash/x"})
        void rejectsOtherCharacters(String value) {
            rejects("WORKER_ID", value).hasMessageContaining("'" + value + "'");
        }

        @Test
        void rejectsOverlongIds() {
            rejects("WORKER_ID", "w".repeat(129)).hasMessageContaining("128");
        }
    }

    @Nested
    class Durations {
        @ParameterizedTest
        @CsvSource({
            "POLL_INTERVAL,250",
            "LEASE_TIME,600000",
            "HEARTBEAT_INTERVAL,1000",
            "ANALYZER_TIMEOUT,5000",
            "ANALYZER_KILL_GRACE,0",
            "SHUTDOWN_GRACE,1500"
        })
        void areReadAsMilliseconds(String name, long millis) {
            WorkerConfig config = load(name, Long.toString(millis));
            Duration read = switch (name) {
                case "POLL_INTERVAL" -> config.pollInterval();
                case "LEASE_TIME" -> config.leaseTime();
                case "HEARTBEAT_INTERVAL" -> config.heartbeatInterval();
                case "ANALYZER_TIMEOUT" -> config.analyzer().timeout();
                case "ANALYZER_KILL_GRACE" -> config.analyzer().killGrace();
                default -> config.shutdownGrace();
            };
            assertThat(read).isEqualTo(Duration.ofMillis(millis));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "POLL_INTERVAL",
                    "LEASE_TIME",
                    "HEARTBEAT_INTERVAL",
                    "ANALYZER_TIMEOUT",
                    "ANALYZER_KILL_GRACE",
                    "SHUTDOWN_GRACE"
                })
        void rejectNonNumbers(String name) {
            rejects(name, "abc").hasMessage(name + ": 'abc' is not a whole number of milliseconds");
            rejects(name, "5s").hasMessageContaining("'5s' is not a whole number of milliseconds");
            rejects(name, "1.5").hasMessageContaining("'1.5'");
        }

        @ParameterizedTest
        @CsvSource({
            "POLL_INTERVAL,5",
            "POLL_INTERVAL,-1",
            "LEASE_TIME,999",
            "HEARTBEAT_INTERVAL,10",
            "ANALYZER_TIMEOUT,10",
            "ANALYZER_KILL_GRACE,-5",
            "SHUTDOWN_GRACE,-1",
            "POLL_INTERVAL,99999999999"
        })
        void rejectOutOfRangeValues(String name, String value) {
            rejects(name, value).hasMessageContaining(value + " ms is out of range");
        }

        @Test
        void heartbeatMustBeLessThanHalfTheLease() {
            assertThatThrownBy(() -> load("LEASE_TIME", "10000", "HEARTBEAT_INTERVAL", "5000"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("HEARTBEAT_INTERVAL: 5000 ms must be less than half of LEASE_TIME (10000 ms),"
                            + " or the lease can expire between two heartbeats");
            assertThat(load("LEASE_TIME", "10000", "HEARTBEAT_INTERVAL", "4999").heartbeatInterval())
                    .isEqualTo(Duration.ofMillis(4999));
        }

        @Test
        void theDefaultHeartbeatIsCheckedAgainstAShortLease() {
            assertThatThrownBy(() -> load("LEASE_TIME", "30000"))
                    .hasMessageStartingWith("HEARTBEAT_INTERVAL: 15000 ms");
        }
    }

    @Nested
    class MaxConcurrentJobs {
        @Test
        void isAWholeNumber() {
            assertThat(load("MAX_CONCURRENT_JOBS", "4").maxConcurrentJobs()).isEqualTo(4);
            rejects("MAX_CONCURRENT_JOBS", "two")
                    .hasMessage("MAX_CONCURRENT_JOBS: 'two' is not a whole number of jobs");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-3", "65"})
        void isBetweenOneAndTheLimit(String value) {
            rejects("MAX_CONCURRENT_JOBS", value)
                    .hasMessage("MAX_CONCURRENT_JOBS: " + value + " is out of range; use 1 to 64");
        }
    }

    @Nested
    class Paths {
        @Test
        void tempDirIsMadeAbsoluteAndExpandsTilde() {
            assertThat(load("TEMP_DIR", "/var/tmp/fw").tempDir()).isEqualTo(Path.of("/var/tmp/fw"));
            assertThat(load("TEMP_DIR", "rel/dir").tempDir())
                    .isEqualTo(Path.of("rel/dir").toAbsolutePath());
            assertThat(load("TEMP_DIR", "~/work").tempDir()).isEqualTo(Path.of("/home/tester/work"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"TEMP_DIR", "EMBEDDED_DB_PATH", "CLI_PATH", "CLAUDE_HOME"})
        void invalidPathsAreNamed(String name) {
            rejects(name, "bad\0path").hasMessage(name + ": 'bad\\0path' is not a valid path");
        }

        @Test
        void embeddedDbFollowsXdgDataHome() {
            assertThat(load("XDG_DATA_HOME", "/data").queue().embeddedDbPath())
                    .isEqualTo(Path.of("/data/fondation/queue.db"));
            assertThat(load("EMBEDDED_DB_PATH", "/srv/q.db").queue().embeddedDbPath())
                    .isEqualTo(Path.of("/srv/q.db"));
        }

        @Test
        void cliPathAndClaudeHome() {
            WorkerConfig config =
                    load("CLI_PATH", "/opt/fondation/dist/cli.bundled.mjs", "CLAUDE_HOME", "/home/worker");
            assertThat(config.analyzer().optionalCliPath()).contains(Path.of("/opt/fondation/dist/cli.bundled.mjs"));
            assertThat(config.analyzer().optionalClaudeHome()).contains(Path.of("/home/worker"));
        }
    }

    @Nested
    class Queue {
        @Test
        void convexIsChosenWhenItsUrlIsSet() {
            WorkerConfig config = load("CONVEX_URL", "https://happy-otter-123.convex.cloud");
            assertThat(config.queue().kind()).isEqualTo(QueueSettings.Kind.CONVEX);
            assertThat(config.queue().convexUrl()).isEqualTo(URI.create("https://happy-otter-123.convex.cloud"));
        }

        @Test
        void localRepositoriesAreAcceptedFromTheEmbeddedQueueOnlyUnlessConfigured() {
            assertThat(load().allowLocalRepositories()).isTrue();
            assertThat(load("CONVEX_URL", "https://x.convex.cloud").allowLocalRepositories())
                    .isFalse();
            assertThat(load("CONVEX_URL", "https://x.convex.cloud", "ALLOW_LOCAL_REPOSITORIES", "true")
                            .allowLocalRepositories())
                    .isTrue();
            assertThat(load("ALLOW_LOCAL_REPOSITORIES", "no").allowLocalRepositories())
                    .isFalse();
            rejects("ALLOW_LOCAL_REPOSITORIES", "maybe")
                    .hasMessage("ALLOW_LOCAL_REPOSITORIES: 'maybe' is not true or false");
        }

        @Test
        void resumeIsOnByDefaultAndReachesTheEngine() {
            assertThat(load().resume()).isTrue();
            assertThat(load().workerSettings().resume()).isTrue();
            assertThat(load("RESUME", "false").workerSettings().resume()).isFalse();
            rejects("RESUME", "sometimes").hasMessage("RESUME: 'sometimes' is not true or false");
        }

        @Test
        void queueCanBeForcedToEmbedded() {
            assertThat(load("CONVEX_URL", "https://x.convex.cloud", "QUEUE", "embedded")
                            .queue()
                            .kind())
                    .isEqualTo(QueueSettings.Kind.EMBEDDED);
            assertThat(load("QUEUE", "EMBEDDED").queue().kind()).isEqualTo(QueueSettings.Kind.EMBEDDED);
        }

        @Test
        void unknownQueueIsNamed() {
            rejects("QUEUE", "redis").hasMessage("QUEUE: 'redis' is not one of embedded, convex");
        }

        @Test
        void convexNeedsAUrl() {
            assertThatThrownBy(() -> load("QUEUE", "convex"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("CONVEX_URL: required when QUEUE=convex");
        }

        @ParameterizedTest
        @ValueSource(strings = {"not a url", "ftp://x.convex.cloud", "happy-otter.convex.cloud", "https://"})
        void convexUrlMustBeHttp(String value) {
            rejects("CONVEX_URL", value).hasMessage("CONVEX_URL: '" + value + "' is not an http(s) URL");
        }

        @Test
        void convexUrlMustNotCarryCredentials() {
            rejects("CONVEX_URL", "https://user:pw@x.convex.cloud")
                    .hasMessage("CONVEX_URL: must not contain credentials");
        }

        @Test
        void secretsAreReadButNeverPrinted() {
            WorkerConfig config = load(
                    "CONVEX_URL",
                    "https://x.convex.cloud",
                    "CONVEX_DEPLOY_KEY",
                    "test-deploy-key",
                    "FONDATION_WORKER_SECRET",
                    "test-worker-secret",
                    "ENCRYPTION_KEY",
                    "ab".repeat(32),
                    "GITHUB_TOKEN",
                    "test-github-token");
            assertThat(config.queue().optionalConvexDeployKey())
                    .map(Secret::reveal)
                    .contains("test-deploy-key");
            assertThat(config.queue().optionalWorkerSecret())
                    .map(Secret::reveal)
                    .contains("test-worker-secret");
            assertThat(config.queue().optionalEncryptionKey())
                    .map(Secret::reveal)
                    .contains("ab".repeat(32));
            assertThat(config.optionalGithubToken()).map(Secret::reveal).contains("test-github-token");
            assertThat(config.toString())
                    .contains("[redacted]")
                    .doesNotContain("test-deploy-key", "test-worker-secret", "abababab", "test-github-token");
        }

        @Test
        void encryptionKeyMustBe64Hex() {
            rejects("ENCRYPTION_KEY", "test-key")
                    .hasMessage("ENCRYPTION_KEY: must be 64 hexadecimal characters (a 256-bit key);"
                            + " the value given has 8 characters or non-hex ones")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("test-key"));
            rejects("ENCRYPTION_KEY", "zz".repeat(32))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("zzzz"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"CONVEX_DEPLOY_KEY", "FONDATION_WORKER_SECRET", "GITHUB_TOKEN"})
        void secretsWithWhitespaceAreRejectedWithoutEchoingThem(String name) {
            rejects(name, "test secret").hasMessage(name + ": contains whitespace; check how the secret was pasted");
        }
    }

    @Nested
    class Analyzer {
        @Test
        void kinds() {
            assertThat(load("ANALYZER", "dry-run").analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.DRY_RUN);
            assertThat(load("ANALYZER", "fondation").analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.FONDATION);
            assertThat(load("ANALYZER", "claude").analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.CLAUDE);
            rejects("ANALYZER", "gpt").hasMessage("ANALYZER: 'gpt' is not one of fondation, claude, dry-run, command");
        }

        @Test
        void withoutAnalyzerTheFondationCliWinsThenAnInstalledClaudeCode(@TempDir Path bin) throws Exception {
            Path claude = Files.createFile(bin.resolve("claude"));
            claude.toFile().setExecutable(true);
            String path = "/nonexistent:" + bin;
            assertThat(load("CLI_PATH", "/opt/cli.mjs", "PATH", path).analyzer().kind())
                    .isEqualTo(AnalyzerSettings.Kind.FONDATION);
            assertThat(load("PATH", path).analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.CLAUDE);
            assertThat(load("CLAUDE_PATH", "/opt/claude/bin/claude").analyzer().kind())
                    .isEqualTo(AnalyzerSettings.Kind.CLAUDE);
            // nothing installed: the Fondation CLI, whose missing CLI_PATH the start-up check names
            assertThat(load("PATH", "/nonexistent").analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.FONDATION);
        }

        @Test
        void claudeDefaultsArePinnedAndBounded() {
            ClaudeSettings claude = load().analyzer().claude();
            assertThat(claude.executable()).isEqualTo("claude");
            assertThat(claude.model()).isEqualTo(WorkerConfigLoader.DEFAULT_CLAUDE_MODEL);
            assertThat(claude.maxTurns()).isEqualTo(WorkerConfigLoader.DEFAULT_CLAUDE_MAX_TURNS);
            assertThat(claude.maxBudgetUsd()).isNull();
            assertThat(claude.apiTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(claude.maxRetries()).isEqualTo(1);
            assertThat(claude.configDirectory()).isNull();
            assertThat(claude.allowUnconfined()).isFalse();

            ClaudeSettings set = load(
                            "CLAUDE_MODEL", "claude-opus-4-1",
                            "CLAUDE_MAX_TURNS", "0",
                            "CLAUDE_MAX_BUDGET_USD", "2.50",
                            "CLAUDE_API_TIMEOUT", "30000",
                            "CLAUDE_MAX_RETRIES", "0",
                            "CLAUDE_CONFIG_DIR", "/mnt/claude",
                            "CLAUDE_ALLOW_UNCONFINED", "true")
                    .analyzer()
                    .claude();
            assertThat(set.model()).isEqualTo("claude-opus-4-1");
            assertThat(set.maxTurns()).as("0 is no limit").isNull();
            assertThat(set.maxBudgetUsd()).isEqualByComparingTo("2.5");
            assertThat(set.apiTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(set.maxRetries()).isZero();
            assertThat(set.configDirectory()).isEqualTo(Path.of("/mnt/claude"));
            assertThat(set.allowUnconfined()).isTrue();
        }

        @Test
        void aLoggedInClaudeHomeIsTheConfigDirectory(@TempDir Path home) throws Exception {
            Files.createDirectories(home.resolve(".claude"));
            assertThat(load("CLAUDE_HOME", home.toString()).analyzer().claude().configDirectory())
                    .isEqualTo(home.resolve(".claude"));
        }

        @Test
        void badClaudeSettingsNameTheirVariable() {
            rejects("CLAUDE_MAX_TURNS", "many").hasMessageContaining("'many' is not a whole number of turns");
            rejects("CLAUDE_MAX_TURNS", "-3").hasMessageContaining("out of range");
            rejects("CLAUDE_MAX_BUDGET_USD", "five").hasMessageContaining("not an amount in US dollars");
            rejects("CLAUDE_MAX_BUDGET_USD", "0").hasMessageContaining("out of range");
            rejects("CLAUDE_MODEL", "--dangerously-skip-permissions").hasMessageContaining("is not a model name");
            rejects("CLAUDE_API_TIMEOUT", "10").hasMessageContaining("out of range");
            rejects("CLAUDE_MAX_RETRIES", "11").hasMessageContaining("out of range");
            rejects("CLAUDE_PATH", "claude --yolo").hasMessageContaining("is not a program");
            rejects("CLAUDE_ALLOW_UNCONFINED", "maybe").hasMessageContaining("is not true or false");
        }

        @Test
        void theSandboxSettingsAreDirectoriesThatNeverOpenTheOtherJobsOrTheQueue(@TempDir Path temp) throws Exception {
            Path cache = Files.createDirectories(temp.resolve("cache"));
            Path tools = Files.createDirectories(temp.resolve("tools"));
            Path work = Files.createDirectories(temp.resolve("work/w1"));
            Path queueDir = Files.createDirectories(temp.resolve("db"));
            SandboxSettings none = load().analyzer().sandbox();
            assertThat(none).isEqualTo(SandboxSettings.DEFAULT);
            assertThat(load().analyzer().allowsUnconfined()).isFalse();

            WorkerConfig set = load(
                    "ANALYZER_ALLOW_UNCONFINED",
                    "true",
                    "ANALYZER_WRITABLE_DIRS",
                    cache + ":",
                    "ANALYZER_READABLE_DIRS",
                    tools + ":" + cache,
                    "TEMP_DIR",
                    temp.resolve("work").toString(),
                    "EMBEDDED_DB_PATH",
                    queueDir.resolve("queue.db").toString());
            assertThat(set.analyzer().sandbox().writable()).containsExactly(cache);
            assertThat(set.analyzer().sandbox().readable()).containsExactly(tools, cache);
            assertThat(set.analyzer().allowsUnconfined()).isTrue();
            assertThat(load("ANALYZER", "claude", "CLAUDE_ALLOW_UNCONFINED", "true")
                            .analyzer()
                            .allowsUnconfined())
                    .as("the older name, for claude")
                    .isTrue();
            assertThat(load("ANALYZER", "dry-run", "CLAUDE_ALLOW_UNCONFINED", "true")
                            .analyzer()
                            .allowsUnconfined())
                    .as("not for the others")
                    .isFalse();

            Map<String, String> env = new HashMap<>(BASE);
            env.put("TEMP_DIR", temp.resolve("work").toString());
            env.put("EMBEDDED_DB_PATH", queueDir.resolve("queue.db").toString());
            for (Map.Entry<String, String> bad : Map.of(
                            work.toString(),
                            "is or lies in TEMP_DIR",
                            queueDir.toString(),
                            "is the embedded queue's directory",
                            "relative/dir",
                            "is not an absolute path",
                            "/",
                            "the root directory",
                            temp.resolve("missing").toString(),
                            "is not an existing directory")
                    .entrySet()) {
                for (String variable : List.of("ANALYZER_WRITABLE_DIRS", "ANALYZER_READABLE_DIRS")) {
                    Map<String, String> withBad = new HashMap<>(env);
                    withBad.put(variable, bad.getKey());
                    assertThatThrownBy(() -> WorkerConfigLoader.load(withBad, Map.of()))
                            .isInstanceOf(ConfigurationException.class)
                            .hasMessageStartingWith(variable + ": ")
                            .hasMessageContaining(bad.getValue());
                }
            }
            rejects("ANALYZER_ALLOW_UNCONFINED", "maybe").hasMessageContaining("is not true or false");
        }

        @Test
        void commandTemplateIsAJsonArray() {
            WorkerConfig config = load(
                    "ANALYZER",
                    "command",
                    "ANALYZER_COMMAND",
                    "[\"/opt/a b/run\", \"{repo}\", \"--out\", \"{outputDir}\"]");
            assertThat(config.analyzer().command()).containsExactly("/opt/a b/run", "{repo}", "--out", "{outputDir}");
        }

        @Test
        void aCommandTemplateWithoutAnalyzerImpliesTheCommandAnalyzer() {
            WorkerConfig config = load("ANALYZER_COMMAND", "[\"/opt/run\", \"{repo}\"]", "CLI_PATH", "/opt/cli.mjs");
            assertThat(config.analyzer().kind()).isEqualTo(AnalyzerSettings.Kind.COMMAND);
            assertThat(load("ANALYZER", "dry-run", "ANALYZER_COMMAND", "[\"/opt/run\"]")
                            .analyzer()
                            .kind())
                    .as("an explicit ANALYZER still wins")
                    .isEqualTo(AnalyzerSettings.Kind.DRY_RUN);
        }

        @Test
        void commandAnalyzerNeedsItsCommand() {
            assertThatThrownBy(() -> load("ANALYZER", "command"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("ANALYZER_COMMAND: required when ANALYZER=command");
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "run.sh {repo}|not a JSON array of strings",
                    "{\"cmd\":\"x\"}|not a JSON array of strings",
                    "[]|the array is empty",
                    "[\"run\", 3]|element 1 is number, not a string",
                    "[\"  \", \"x\"]|the first element (the program) is blank"
                })
        void badCommandTemplates(String value, String problem) {
            rejects("ANALYZER_COMMAND", value).hasMessageContaining(problem);
        }

        @Test
        void runtimeAndProfile() {
            WorkerConfig config = load("CLI_RUNTIME", "bun", "CLI_PROFILE", "dev-fast");
            assertThat(config.analyzer().cliRuntime()).isEqualTo("bun");
            assertThat(config.analyzer().cliProfile()).isEqualTo("dev-fast");
            rejects("CLI_RUNTIME", "node --inspect").hasMessageContaining("contains spaces");
            rejects("CLI_PROFILE", "prod;rm")
                    .hasMessage("CLI_PROFILE: 'prod;rm' is not a profile name (letters, digits, . _ -)");
        }

        @Test
        void envExtrasAreNamesButNeverWorkerSecrets() {
            assertThat(load("ANALYZER_ENV_EXTRAS", "HTTPS_PROXY, NO_PROXY,,")
                            .analyzer()
                            .envExtras())
                    .containsExactly("HTTPS_PROXY", "NO_PROXY");
            rejects("ANALYZER_ENV_EXTRAS", "OK,9BAD")
                    .hasMessage("ANALYZER_ENV_EXTRAS: '9BAD' is not an environment variable name");
            rejects("ANALYZER_ENV_EXTRAS", "GITHUB_TOKEN")
                    .hasMessage(
                            "ANALYZER_ENV_EXTRAS: GITHUB_TOKEN is a worker secret and is never passed to the analyzer");
            rejects("ANALYZER_ENV_EXTRAS", "ENCRYPTION_KEY").hasMessageContaining("worker secret");
        }

        @Test
        void progressLanguage() {
            assertThat(load("PROGRESS_LANGUAGE", "en").analyzer().progressLanguage())
                    .isEqualTo("en");
            assertThat(load("PROGRESS_LANGUAGE", "English").analyzer().progressLanguage())
                    .isEqualTo("en");
            assertThat(load("PROGRESS_LANGUAGE", "FR").analyzer().progressLanguage())
                    .isEqualTo("fr");
            rejects("PROGRESS_LANGUAGE", "de").hasMessage("PROGRESS_LANGUAGE: 'de' is not supported; use fr or en");
        }
    }

    @Nested
    class GitAndHealth {
        @Test
        void gitClient() {
            assertThat(load().gitClient()).as("auto by default").isNull();
            assertThat(load("GIT_CLIENT", "auto").gitClient()).isNull();
            assertThat(load("GIT_CLIENT", "JGit").gitClient()).isEqualTo(GitClient.JGIT);
            if (GitClient.cliAvailable()) {
                assertThat(load("GIT_CLIENT", "git").gitClient()).isEqualTo(GitClient.CLI);
            } else {
                rejects("GIT_CLIENT", "git").hasMessageContaining("GIT_CLIENT: 'git' needs git 2.32 or newer");
            }
            rejects("GIT_CLIENT", "svn").hasMessage("GIT_CLIENT: 'svn' is not one of jgit, git");
        }

        @Test
        void gitBaseUrl() {
            assertThat(load("GIT_BASE_URL", "https://git.example.test/").gitBaseUrl())
                    .isEqualTo("https://git.example.test");
            assertThat(load("GIT_BASE_URL", "file:///srv/git").gitBaseUrl()).isEqualTo("file:///srv/git");
            rejects("GIT_BASE_URL", "ssh://git@host")
                    .hasMessage("GIT_BASE_URL: 'ssh://git@host' is not an http(s) or file URL");
            rejects("GIT_BASE_URL", "http://a b").hasMessage("GIT_BASE_URL: 'http://a b' is not a URL");
            rejects("GIT_BASE_URL", "https://u:p@git.example.test")
                    .hasMessage("GIT_BASE_URL: must not contain credentials; set GITHUB_TOKEN instead");
        }

        @Test
        void healthPort() {
            assertThat(load("HEALTH_PORT", "0").healthPort()).isZero();
            assertThat(load("HEALTH_PORT", "-1").healthEnabled()).isFalse();
            assertThat(load("HEALTH_PORT", "9090").healthPort()).isEqualTo(9090);
            rejects("HEALTH_PORT", "http").hasMessageContaining("'http' is not a port number");
            rejects("HEALTH_PORT", "70000").hasMessage("HEALTH_PORT: 70000 is out of range; use -1 to 65535");
            rejects("HEALTH_PORT", "-2").hasMessageContaining("out of range");
        }

        @Test
        void healthHost() {
            assertThat(load("HEALTH_HOST", "127.0.0.1").healthHost()).isEqualTo("127.0.0.1");
            rejects("HEALTH_HOST", "http://x/").hasMessageContaining("is not a host name or IP address");
        }

        @Test
        void allowedHostsAreExactNames() {
            assertThat(load().healthAllowedHosts()).isEmpty();
            assertThat(load("HEALTH_ALLOWED_HOSTS", "worker.example.com, Status.Example.ORG")
                            .healthAllowedHosts())
                    .containsExactly("worker.example.com", "Status.Example.ORG");
            rejects("HEALTH_ALLOWED_HOSTS", "*.example.com").hasMessageContaining("'*.example.com' is not a host name");
            rejects("HEALTH_ALLOWED_HOSTS", "x.example.com:8081").hasMessageContaining("is not a host name");
        }
    }

    @Test
    void theFleetSettingsAreReadAndChecked() {
        WorkerConfig defaults = load();
        assertThat(defaults.jobMaxCostUsd()).isNull();
        assertThat(defaults.queue().maxRunningPerUser()).isZero();
        assertThat(defaults.workerSettings().jobMaxCostUsd()).isNull();
        WorkerConfig set = load("JOB_MAX_COST_USD", "2.50", "MAX_RUNNING_PER_USER", "3");
        assertThat(set.jobMaxCostUsd()).isEqualByComparingTo("2.5");
        assertThat(set.workerSettings().jobMaxCostUsd()).isEqualByComparingTo("2.5");
        assertThat(set.queue().maxRunningPerUser()).isEqualTo(3);
        rejects("JOB_MAX_COST_USD", "lots")
                .hasMessageContaining("JOB_MAX_COST_USD")
                .hasMessageContaining("'lots'");
        rejects("JOB_MAX_COST_USD", "0").hasMessageContaining("out of range");
        rejects("MAX_RUNNING_PER_USER", "101").hasMessageContaining("use 0 to 100");
        rejects("MAX_RUNNING_PER_USER", "-1").hasMessageContaining("use 0 to 100");
    }

    @Test
    void recordsRejectInconsistentValuesToo() {
        WorkerConfig config = load();
        assertThatThrownBy(() -> new WorkerConfig(
                        config.workerId(),
                        config.pollInterval(),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(5),
                        1,
                        config.tempDir(),
                        config.queue(),
                        config.analyzer(),
                        config.gitBaseUrl(),
                        config.healthPort(),
                        config.shutdownGrace(),
                        config.healthHost(),
                        null,
                        true,
                        0,
                        config.safetyPollInterval(),
                        null,
                        List.of(),
                        true,
                        null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(Secret.of("test-secret")).toString()).isEqualTo("[[redacted]]");
    }
}
