package io.fondation.worker.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.AnalysisReport;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.engine.analyzer.AnalyzerContainment;
import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobLease;
import io.fondation.worker.assembly.WorkerAssembly;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the analyzer child receives: its command, its working directory and its (filtered) environment. */
class AnalyzerLauncherTest {

    @TempDir
    Path temp;

    private static final ClaimedJob JOB = new ClaimedJob(
            "job-7",
            CloneSource.ofUrl("/tmp/x", null),
            "explain \"the\" design; rm -rf /",
            1,
            5,
            new JobLease("job-7", "w1", "token", Instant.EPOCH));

    private static AnalyzerSettings settings(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("HOME", "/home/tester"));
        all.putAll(env);
        return WorkerConfigLoader.load(all).analyzer();
    }

    private Path script(String name, String body) throws IOException {
        Path script = temp.resolve(name);
        Files.writeString(script, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private Path repository() throws IOException {
        return Files.createDirectories(temp.resolve("repo"));
    }

    @Test
    void theChildGetsTheAllowListedEnvironmentOnlyWithItsStateDirectoryAsHome() throws Exception {
        // The script records its arguments, working directory and environment as a chapter.
        Path script = script("dump.sh", """
                out="$2"
                mkdir -p "$out/chapters"
                { echo "# Chapter 1: Dump"; echo; echo "pwd=$(pwd)";
                  for a in "$@"; do echo "arg=$a"; done; env | sort | sed 's/^/env=/'; } > "$out/chapters/chapter_1_dump.md"
                """);
        Map<String, String> source = new HashMap<>(System.getenv());
        source.put("GITHUB_TOKEN", "test-github-token");
        source.put("CONVEX_DEPLOY_KEY", "test-deploy-key");
        source.put("ENCRYPTION_KEY", "ab".repeat(32));
        source.put("FONDATION_WORKER_SECRET", "test-worker-secret");
        source.put("CLAUDE_CODE_OAUTH_TOKEN", "test-oauth-token");
        source.put("HTTPS_PROXY", "http://proxy.test:3128");
        source.put("MY_EXTRA", "extra-value");
        source.put("UNRELATED", "unrelated-value");
        AnalyzerSettings settings = settings(Map.of(
                "ANALYZER",
                "command",
                "ANALYZER_COMMAND",
                "[\"" + script + "\", \"{repo}\", \"{outputDir}\", \"{prompt}\", \"job={jobId}\"]",
                "ANALYZER_ENV_EXTRAS",
                "MY_EXTRA",
                "CLAUDE_HOME",
                temp.resolve("claude-home").toString()));
        AnalyzerLauncher launcher = AnalyzerLauncher.withDefaults(settings, source);
        Path repo = repository();
        Path out = Files.createDirectories(temp.resolve("out"));

        AnalysisReport report = launcher.start(JOB, repo, out, null).await();

        assertThat(report.succeeded()).as(String.valueOf(report.failure())).isTrue();
        String dump = report.documents().get(0).content();
        assertThat(dump)
                .contains(
                        "pwd=" + repo.toRealPath(),
                        "arg=" + repo,
                        "arg=" + out,
                        "arg=explain \"the\" design; rm -rf /",
                        "arg=job=job-7",
                        "env=HOME=" + temp.resolve("home"),
                        "env=CLAUDE_CODE_OAUTH_TOKEN=test-oauth-token",
                        "env=HTTPS_PROXY=http://proxy.test:3128",
                        "env=MY_EXTRA=extra-value",
                        "env=PATH=");
        assertThat(dump)
                .doesNotContain(
                        "test-github-token", "test-deploy-key", "abababab", "test-worker-secret", "unrelated-value");
        assertThat(launcher.childEnvironmentNames()).contains("PATH", "HOME").doesNotContain("GITHUB_TOKEN");
    }

    @Test
    void theFondationCliIsRunWithItsRuntimeProfileAndOutputDirectory() throws Exception {
        Path cli = script("cli.bundled.mjs", """
                # a stand-in CLI run by "bash <cli> analyze <repo> --profile <p> --output-dir <dir>"
                [ "$1" = analyze ] || exit 9
                out="$6"
                mkdir -p "$out/chapters"
                printf '# Chapter 1: Args\\n\\n%s\\n' "$*" > "$out/chapters/chapter_1_args.md"
                echo '{"level":"info","msg":"[FONDATION_STEP_4/6] Generating chapter content"}'
                """);
        AnalyzerSettings settings = settings(Map.of(
                "ANALYZER", "fondation", "CLI_PATH", cli.toString(), "CLI_RUNTIME", "bash", "CLI_PROFILE", "dev"));
        AnalyzerLauncher launcher = AnalyzerLauncher.withDefaults(settings, System.getenv());
        Path repo = repository();
        Path out = Files.createDirectories(temp.resolve("out"));

        ProcessSpec spec = launcher.spec(JOB, repo, out, temp.resolve("home"));
        assertThat(launcher.containment().status().level()).isEqualTo(ContainmentStatus.Level.SANDBOX);
        assertThat(spec.command().get(0)).endsWith("bwrap");
        assertThat(spec.command()).contains("--ro-bind", temp.toString(), "--bind", out.toString());
        assertThat(spec.command()).doesNotContain("--unshare-net");
        assertThat(spec.command())
                .endsWith(
                        io.fondation.engine.analyzer.Programs.onPath("bash", System.getenv("PATH"))
                                .toString(),
                        cli.toString(),
                        "analyze",
                        repo.toString(),
                        "--profile",
                        "dev",
                        "--output-dir",
                        out.toString());
        assertThat(spec.workingDirectory()).isEqualTo(repo);
        assertThat(spec.timeout()).isEqualTo(settings.timeout());

        List<io.fondation.shared.Progress> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        AnalysisReport report = launcher.start(JOB, repo, out, new io.fondation.clibridge.AnalysisListener() {
                    @Override
                    public void onProgress(io.fondation.shared.Progress p) {
                        progress.add(p);
                    }
                })
                .await();
        assertThat(report.succeeded()).isTrue();
        assertThat(report.documents().get(0).content())
                .contains("analyze " + repo + " --profile dev --output-dir " + out);
        assertThat(progress).extracting(io.fondation.shared.Progress::step).contains(4);
    }

    @Test
    void aFondationAnalyzerNeedsItsCli() {
        AnalyzerLauncher unset = AnalyzerLauncher.withDefaults(settings(Map.of("ANALYZER", "fondation")), Map.of());
        assertThatThrownBy(unset::requireConfigured)
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CLI_PATH: " + AnalyzerContainment.NO_ANALYZER);

        Path missing = temp.resolve("dist/cli.bundled.mjs");
        AnalyzerLauncher absent = AnalyzerLauncher.withDefaults(
                settings(Map.of("ANALYZER", "fondation", "CLI_PATH", missing.toString())), Map.of());
        absent.requireConfigured();
        assertThatThrownBy(() -> absent.spec(JOB, temp, temp, temp))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CLI_PATH: '" + missing + "' does not exist or is not a file");
    }

    @Test
    void aMissingRuntimeIsAConfigurationFailureOfTheRun() throws Exception {
        Path cli = script("cli.mjs", "exit 0\n");
        AnalyzerLauncher launcher = AnalyzerLauncher.withDefaults(
                settings(Map.of(
                        "ANALYZER",
                        "fondation",
                        "CLI_PATH",
                        cli.toString(),
                        "CLI_RUNTIME",
                        temp.resolve("no-such-node").toString())),
                System.getenv());

        AnalysisReport report = launcher.start(JOB, repository(), Files.createDirectories(temp.resolve("out")), null)
                .await();

        assertThat(report.failure()).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
            assertThat(f.message()).contains("no-such-node");
        });
    }

    @Test
    void theDryRunAnalyzerRunsInAChildJvm() throws IOException {
        AnalyzerLauncher launcher = AnalyzerLauncher.withDefaults(
                settings(Map.of("ANALYZER", "dry-run")),
                System.getenv(),
                (int) OutputLimits.DEFAULT_MAX_FILE_BYTES,
                List.of(),
                WorkerAssembly.analyzerPrograms());
        ProcessSpec spec =
                launcher.spec(JOB, repository(), Files.createDirectories(temp.resolve("out")), temp.resolve("home"));
        assertThat(spec.command()).contains("io.fondation.dryrun.DryRunAnalyzer", "analyze", "--output-dir");
        assertThat(spec.command().stream()
                        .filter(arg -> Path.of(arg).getFileName() != null
                                && Path.of(arg).getFileName().toString().startsWith("java")))
                .isNotEmpty();
        // why: it reads the clone and writes files; a repository steering it has nowhere to send them
        assertThat(spec.command()).startsWith(spec.command().get(0)).contains("--unshare-net");
        assertThat(spec.command().get(0)).endsWith("bwrap");
    }
}
