package io.fondation.worker.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.WorkerListener;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.contract.MutableClock;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.e2e.TestAnalyzer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerRuntimeTest {

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();

    private WorkerConfig config(Map<String, String> overrides) {
        Path script = TestAnalyzer.install(temp.resolve("bin"));
        Map<String, String> env = new HashMap<>(Map.of(
                "HOME",
                temp.toString(),
                "WORKER_ID",
                "w1",
                "EMBEDDED_DB_PATH",
                temp.resolve("data/queue.db").toString(),
                "TEMP_DIR",
                temp.resolve("tmp").toString(),
                "ANALYZER",
                "command",
                "ANALYZER_COMMAND",
                TestAnalyzer.commandJson(script),
                "HEALTH_HOST",
                "127.0.0.1",
                "HEALTH_PORT",
                "0"));
        env.putAll(overrides);
        return WorkerConfigLoader.load(env);
    }

    @Test
    void theEmbeddedQueueIsAFileOthersCanOpen() {
        String id;
        try (JobQueue queue = WorkerRuntime.openQueue(config(Map.of()), clock)) {
            assertThat(queue).isInstanceOf(SqliteJobQueue.class);
            id = queue.enqueue(JobSpec.of(CloneSource.ofUrl("/tmp/repo", null), ""));
        }
        try (JobQueue again = SqliteJobQueue.open(temp.resolve("data/queue.db"), clock)) {
            assertThat(again.get(id))
                    .hasValueSatisfying(job -> assertThat(job.status()).isEqualTo(JobStatus.PENDING));
        }
    }

    @Test
    void openDoesNotPollAndStartServesHealth() {
        try (WorkerRuntime runtime = WorkerRuntime.open(config(Map.of()), clock, new WorkerListener() {})) {
            String id = runtime.queue().enqueue(JobSpec.of(CloneSource.ofUrl("/tmp/does-not-exist", null), ""));
            assertThat(runtime.healthPort()).isEqualTo(-1);
            assertThat(runtime.queue().get(id).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
            runtime.start();
            assertThat(runtime.healthPort()).isPositive();
        }
    }

    @Test
    void aHealthPortInUseStopsTheStartBeforeAnyClaim() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                WorkerRuntime runtime = WorkerRuntime.open(
                        config(Map.of("HEALTH_PORT", Integer.toString(taken.getLocalPort()))),
                        clock,
                        new WorkerListener() {})) {
            String id = runtime.queue().enqueue(JobSpec.of(CloneSource.ofUrl("/tmp/repo", null), ""));
            assertThatThrownBy(runtime::start)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("HEALTH_PORT:");
            assertThat(runtime.queue().get(id).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
            assertThat(runtime.worker().health().state()).isEqualTo("not_started");
        }
    }

    @Test
    void anUnreachableConvexDeploymentIsAConfigurationErrorNamingTheUrl() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        WorkerConfig config = config(Map.of("QUEUE", "convex", "CONVEX_URL", "http://127.0.0.1:" + closedPort));
        assertThatThrownBy(() -> WorkerRuntime.openQueue(config, clock))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(
                        e -> assertThat(((ConfigurationException) e).setting()).isEqualTo("CONVEX_URL"));
    }

    @Test
    void closeIsHarmlessTwice() {
        WorkerRuntime runtime = WorkerRuntime.open(config(Map.of("HEALTH_PORT", "-1")), clock, new WorkerListener() {});
        runtime.start();
        assertThat(runtime.healthPort()).isEqualTo(-1);
        runtime.close();
        runtime.close();
        assertThat(runtime.worker().health().state()).isEqualTo("stopped");
    }
}
