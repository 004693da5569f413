package io.fondation.worker.oneshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.dryrun.FixtureRepository;
import io.fondation.http.callback.WebhookReceiver;
import io.fondation.http.callback.WebhookReceiver.Received;
import io.fondation.http.oneshot.OneShotExit;
import io.fondation.worker.e2e.TestAnalyzer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run-job} in a real child JVM, stopped by SIGTERM while its analyzer runs: the receiver gets an error
 * callback saying the job was interrupted, the analyzer is dead, and the exit code is 130.
 */
class RunJobSigtermTest {

    @TempDir
    Path temp;

    @Test
    void sigtermMidJobPostsAnInterruptedErrorCallback() throws Exception {
        Path repository = FixtureRepository.create(temp.resolve("repo"));
        Path analyzer = TestAnalyzer.install(temp.resolve("bin"));
        Path signals = Files.createDirectories(temp.resolve("signals"));
        Path pidFile = signals.resolve("analyzer.pid");
        Path log = temp.resolve("run-job.log");
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.add("-XX:TieredStopAtLevel=1");
            if (Runtime.version().feature() >= 22) {
                command.add("--enable-native-access=ALL-UNNAMED");
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.fondation.worker.Main"));
            command.addAll(List.of(
                    "run-job",
                    "--analyzer-command",
                    TestAnalyzer.commandJson(analyzer),
                    "--prompt",
                    "block " + pidFile));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            builder.environment().put("LANG", "C.UTF-8");
            builder.environment().put("HOME", temp.resolve("home").toString());
            builder.environment().put("TEMP_DIR", temp.resolve("work").toString());
            builder.environment().put("MIN_FREE_DISK_MB", "0");
            builder.environment().put("LOG_FORMAT", "text");
            builder.environment().put("JOB_ID", "job-sigterm");
            builder.environment().put("REPOSITORY_URL", repository.toString());
            builder.environment().put("ALLOW_LOCAL_REPOSITORIES", "true");
            builder.environment().put("CALLBACK_URL", receiver.url());
            builder.environment().put("CALLBACK_TOKEN", RunJobTest.TOKEN);
            builder.environment().put("CALLBACK_REWRITE_LOCALHOST", "false");
            builder.environment().put("ANALYZER_KILL_GRACE", "2000");
            builder.environment().put("ANALYZER_WRITABLE_DIRS", signals.toString());
            Process process = builder.start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .failFast("run-job exited: " + read(log), () -> !process.isAlive())
                        .until(() -> receiver.accepted().stream()
                                        .anyMatch(r -> r.type().equals("progress")
                                                && r.body().get("step").asInt() == 2)
                                && Files.exists(pidFile));
                long analyzerPid = TestAnalyzer.hostPid(pidFile);

                process.destroy(); // SIGTERM

                assertThat(process.waitFor(60, TimeUnit.SECONDS))
                        .as("run-job exits after SIGTERM")
                        .isTrue();
                assertThat(process.exitValue()).as(read(log)).isEqualTo(OneShotExit.INTERRUPTED);
                List<Received> callbacks = receiver.accepted();
                Received last = callbacks.get(callbacks.size() - 1);
                assertThat(last.type()).isEqualTo("error");
                assertThat(last.token()).isEqualTo(RunJobTest.TOKEN);
                assertThat(last.body().get("jobId").asText()).isEqualTo("job-sigterm");
                assertThat(last.body().get("error").asText())
                        .startsWith("interrupted: the worker was stopped (SIGTERM or Ctrl-C) before the job ended")
                        .contains("step 2/6");
                assertThat(callbacks).extracting(Received::type).doesNotContain("complete");
                assertThat(ProcessHandle.of(analyzerPid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false))
                        .as("the analyzer died with the job")
                        .isFalse();
                assertThat(read(log)).doesNotContain(RunJobTest.TOKEN);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
