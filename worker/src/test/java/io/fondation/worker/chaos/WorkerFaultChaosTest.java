package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.TestAnalyzer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chaos cases 5, 6 and 7: faults of the worker itself — a full disk, a missing analyzer, an expired LLM
 * credential — never spend a job's attempts; the worker says why it is not ready, and recovers by itself.
 */
@Tag("slow")
class WorkerFaultChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The worker re-checks a fault 5 s after it opened, then less and less often. */
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private static HttpResponse<String> get(WorkerProcess worker, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.healthPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMisconfiguredWorkerStopsAtStartAndLeavesEveryJobUntouched(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            List<String> ids = List.of(world.submit(""), world.submit(""), world.submit(""));
            Path missing = temp.resolve("not-installed/cli.bundled.mjs");

            WorkerProcess broken =
                    world.startWorker("broken", Map.of("ANALYZER_COMMAND", TestAnalyzer.commandJson(missing)));
            int exit = broken.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).isEqualTo(2);
            assertThat(broken.output().strip().lines().filter(l -> l.startsWith("fondation-worker: ")))
                    .singleElement()
                    .asString()
                    .startsWith("fondation-worker: ANALYZER_COMMAND: ")
                    .contains(missing.toString());
            WorkerProcess fileAsTemp = world.startWorker(
                    "file-as-temp",
                    Map.of(
                            "TEMP_DIR",
                            Files.writeString(temp.resolve("a-file"), "x").toString()));
            assertThat(fileAsTemp.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(fileAsTemp.output())
                    .contains("fondation-worker: TEMP_DIR: ")
                    .doesNotContain("Exception");
            for (String id : ids) {
                assertThatJob(world.job(id))
                        .hasStatus(JobStatus.PENDING)
                        .hasAttempts(0)
                        .isNotLeased();
            }

            world.startWorker("fixed", Map.of());
            for (String id : ids) {
                assertThatJob(world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60)))
                        .hasAttempts(1);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anExpiredLlmCredentialReleasesTheJobsAndTheWorkerRecoversWhenItIsRenewed(Backend backend) throws Exception {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path expired = Files.writeString(world.signals.resolve("credential-expired"), "");
            String first = world.submit("credential " + expired);
            String second = world.submit("credential " + expired);
            WorkerProcess worker = world.startWorker("w", Map.of());

            worker.awaitOutput("WORKER FAULT (AUTHENTICATION)", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> world.job(first).status() == JobStatus.PENDING
                            && world.job(second).status() == JobStatus.PENDING);
            assertThatJob(world.job(first)).hasAttempts(0).hasNoLastError();
            assertThatJob(world.job(second)).hasAttempts(0).hasNoLastError();
            HttpResponse<String> ready = get(worker, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("AUTHENTICATION").contains("OAuth token has expired");
            assertThat(get(worker, "/health/live").statusCode()).isEqualTo(200);
            assertThat(worker.output()).contains("An operator must renew");

            // The operator renews the credential; at its next check the worker tries a job, then all of them.
            Files.delete(expired);
            assertThatJob(world.awaitStatus(first, JobStatus.COMPLETED, RECOVERY))
                    .hasAttempts(1);
            assertThatJob(world.awaitStatus(second, JobStatus.COMPLETED, RECOVERY))
                    .hasAttempts(1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(worker, "/health/ready").statusCode() == 200);
            assertThat(worker.output()).contains("worker fault (AUTHENTICATION) cleared");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFullDiskReleasesTheJobLeavesNothingInTempDirAndTheWorkerWaits(Backend backend) throws Exception {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Files.createDirectories(world.tempDir);
            long freeMb = Files.getFileStore(world.tempDir).getUsableSpace() / (1024 * 1024);
            // why: a real full disk needs a mount; the threshold just below what is free, and then a file that eats
            // more than the margin, make the same fault on any machine.
            long threshold = freeMb - 200;
            WorkerProcess worker = world.startWorker("w", Map.of("MIN_FREE_DISK_MB", Long.toString(threshold)));
            worker.awaitStarted();
            Path filler = temp.resolve("filler.bin");
            fill(filler, 600);
            String id = world.submit("");

            worker.awaitOutput("WORKER FAULT (WORKSPACE)", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> world.job(id).status() == JobStatus.PENDING);
            assertThatJob(world.job(id)).hasAttempts(0).isNotLeased();
            HttpResponse<String> ready = get(worker, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("WORKSPACE").contains("MIN_FREE_DISK_MB");
            assertThat(world.workspaces()).as("nothing left in TEMP_DIR").isZero();

            Files.delete(filler);
            assertThatJob(world.awaitStatus(id, JobStatus.COMPLETED, RECOVERY)).hasAttempts(1);
        }
    }

    private static void fill(Path file, int megabytes) throws IOException {
        byte[] block = new byte[1024 * 1024];
        java.util.Arrays.fill(block, (byte) 1);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < megabytes; i++) {
                out.write(block);
            }
        }
    }
}
