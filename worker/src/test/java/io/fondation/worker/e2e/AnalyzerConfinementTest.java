package io.fondation.worker.e2e;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.engine.analyzer.Programs;
import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every analyzer kind runs in the sandbox (issue 18, point 5). Two jobs run at once on one worker with the Fondation
 * CLI as analyzer: the first job's repository steers its analyzer into looking for the second job's clone and the
 * worker's own files, and into writing outside its output directory. It finds nothing, its write is refused, and its
 * job fails saying why; the second job completes. Where no sandbox works, the worker refuses to start unless the
 * operator allows it.
 */
class AnalyzerConfinementTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @Test
    void aSteeredFondationCliSeesNoOtherJobNorTheWorkerAndItsWriteOutsideFailsItsJob() throws Exception {
        Path cli = installFondationCli(temp.resolve("fondation-cli"));
        Path node = Programs.onPath("node", System.getenv("PATH"));
        assertThat(node)
                .as("Node.js runs the Fondation CLI (the build needs it for the Convex functions)")
                .isNotNull();
        Map<String, String> settings = Map.of(
                "MAX_CONCURRENT_JOBS", "2",
                "ANALYZER", "fondation",
                "CLI_PATH", cli.toString(),
                "CLI_RUNTIME", "node");
        try (WorkerFixture fixture = new WorkerFixture(temp, settings)) {
            Path tmpProbe =
                    Path.of("/tmp", "fondation-thief-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            Map<String, Object> victimSteer = Map.of("role", "victim", "signals", fixture.signals.toString());
            Map<String, Object> thiefSteer = new LinkedHashMap<>();
            thiefSteer.put("role", "thief");
            thiefSteer.put("signals", fixture.signals.toString());
            thiefSteer.put("tempDir", fixture.tempDir.toString());
            thiefSteer.put("home", fixture.root.toString());
            thiefSteer.put("queueDb", fixture.database.toString());
            thiefSteer.put("workerPid", ProcessHandle.current().pid());
            thiefSteer.put("tmpProbe", tmpProbe.toString());
            Path victim = steeredRepository(temp.resolve("repos/victim"), victimSteer, "A private secret.\n");
            Path thief = steeredRepository(temp.resolve("repos/thief"), thiefSteer, null);

            String victimId = fixture.submit(victim, null, "");
            String thiefId = fixture.submit(thief, null, "");
            fixture.start();

            Path running = fixture.signals.resolve("victim-running");
            await().atMost(WAIT).until(() -> Files.exists(running) && Files.size(running) > 0);
            Path victimClone = Path.of(Files.readString(running));
            // On the machine, the second job's clone is there, with its secret, while the first job's analyzer looks.
            assertThat(victimClone).startsWith(fixture.tempDir);
            assertThat(victimClone.resolve("SECRET.md")).hasContent("A private secret.");

            Path reportFile = fixture.signals.resolve("thief-report.json");
            await().atMost(WAIT).until(() -> Files.exists(reportFile) && Files.size(reportFile) > 0);
            JsonNode report = JSON.readTree(reportFile.toFile());
            assertThat(report.at("/victimSecret/ok").asBoolean())
                    .as(report.toString())
                    .isFalse();
            assertThat(report.at("/victimSecret/error").asText()).isEqualTo("ENOENT");
            assertThat(report.at("/victimListing/ok").asBoolean()).isFalse();
            String victimWorkspace = victimClone.getParent().getFileName().toString();
            assertThat(texts(report.at("/tempDirListing/value"))).containsExactly(WorkerFixture.WORKER_ID);
            assertThat(texts(report.at("/workerFolderListing/value")))
                    .as("its own workspace only: not the other job's, nor the worker's lock")
                    .hasSize(1)
                    .doesNotContain(victimWorkspace, ".lock");
            assertThat(texts(report.at("/homeListing/value")))
                    .as("the worker's HOME shows only what the sandbox mounts in it")
                    .doesNotContain("queue.db", "repos", "bin");
            assertThat(report.at("/queueDb/ok").asBoolean()).isFalse();
            assertThat(report.at("/workerEnvironment/ok").asBoolean()).isFalse();
            assertThat(report.at("/tmpWrite/ok").asBoolean())
                    .as("/tmp is its own")
                    .isTrue();
            assertThat(tmpProbe)
                    .as("and private: nothing reaches the machine's /tmp")
                    .doesNotExist();
            assertThat(report.at("/home").asText())
                    .as("its HOME is the job's state directory")
                    .startsWith(fixture.tempDir.toString())
                    .endsWith("/home");

            JobSnapshot failed = awaitStatus(fixture, thiefId, JobStatus.FAILED);
            assertThatJob(failed).hasAttempts(1).isNotLeased();
            assertThat(failed.lastError())
                    .startsWith("the analyzer tried to write outside its output directory and the sandbox refused it")
                    .contains("EROFS")
                    .contains("INJECTED.md");
            assertThat(fixture.job(victimId).status().isLeased())
                    .as("the two jobs ran at once")
                    .isTrue();

            Files.writeString(fixture.signals.resolve("release"), "");
            JobSnapshot completed = awaitStatus(fixture, victimId, JobStatus.COMPLETED);
            assertThat(completed.documentCount()).isEqualTo(6);
            assertThat(fixture.queue().documents(thiefId)).isEmpty();
        }
    }

    @Test
    void withoutASandboxEveryAnalyzerIsRefusedAtStartUnlessTheOperatorAllowsIt() throws Exception {
        // A PATH with the tools the worker needs but no bubblewrap: as in a container without it.
        Path bin = Files.createDirectories(temp.resolve("no-bwrap-bin"));
        for (String tool : List.of("sh", "bash", "setpriv", "setsid", "pkill", "git", "env")) {
            Path found = Programs.onPath(tool, System.getenv("PATH"));
            if (found != null) {
                Files.createSymbolicLink(bin.resolve(tool), found.toRealPath());
            }
        }
        Path repository = TestRepositories.sample(temp.resolve("repo"));

        Run refused = dev(bin, repository, Map.of());
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output())
                .contains("ANALYZER_ALLOW_UNCONFINED: the dry-run analyzer runs only in a sandbox")
                .contains("bubblewrap is not installed")
                .contains("ANALYZER_ALLOW_UNCONFINED=true");

        Run allowed = dev(bin, repository, Map.of("ANALYZER_ALLOW_UNCONFINED", "true"));
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("Allowed to run without a sandbox");
    }

    private record Run(int exitCode, String output) {}

    /** {@code fondation-worker dev --dry-run <repository>} in a child JVM whose PATH is {@code bin}. */
    private Run dev(Path bin, Path repository, Map<String, String> extra) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("run-" + System.nanoTime()));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.fondation.worker.Main"));
        command.addAll(List.of("dev", "--dry-run", repository.toString()));
        Path log = dir.resolve("output.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("HOME", dir.resolve("home").toString());
        builder.environment().put("TEMP_DIR", dir.resolve("work").toString());
        builder.environment().put("EMBEDDED_DB_PATH", dir.resolve("db/queue.db").toString());
        builder.environment().put("MIN_FREE_DISK_MB", "0");
        builder.environment().put("HEALTH_PORT", "-1");
        builder.environment().put("LOG_FORMAT", "text");
        builder.environment().putAll(extra);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("dev ends").isTrue();
            return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }

    private static JobSnapshot awaitStatus(WorkerFixture fixture, String id, JobStatus status) {
        await().atMost(WAIT).until(() -> fixture.job(id).status() == status);
        return fixture.job(id);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    /** A repository whose STEER.json tells the stand-in CLI what to do, with a SECRET.md when given. */
    private static Path steeredRepository(Path dir, Map<String, Object> steer, String secret) throws Exception {
        Files.createDirectories(dir);
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            TestRepositories.write(dir, "README.md", "# Steered\n");
            TestRepositories.write(dir, "STEER.json", JSON.writeValueAsString(steer));
            if (secret != null) {
                TestRepositories.write(dir, "SECRET.md", secret);
            }
            TestRepositories.commit(git, "steer");
        }
        return dir;
    }

    /** Copies the stand-in Fondation CLI to {@code dir/dist/cli.bundled.mjs}. */
    private static Path installFondationCli(Path dir) throws IOException {
        Path cli = Files.createDirectories(dir.resolve("dist")).resolve("cli.bundled.mjs");
        try (InputStream in =
                AnalyzerConfinementTest.class.getResourceAsStream("/runtime/fondation-cli/dist/cli.bundled.mjs")) {
            if (in == null) {
                throw new IllegalStateException("test resource runtime/fondation-cli/dist/cli.bundled.mjs is missing");
            }
            Files.copy(in, cli, StandardCopyOption.REPLACE_EXISTING);
        }
        return cli;
    }
}
