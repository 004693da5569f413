package io.fondation.worker.runtime;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.analyzer.AnalyzerLauncher;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.git.RepositoryCloner;
import io.fondation.engine.git.TempDirWorkspaces;
import io.fondation.engine.git.TestRepositories;
import io.fondation.engine.health.HealthStatus;
import io.fondation.engine.health.WorkerHealth;
import io.fondation.engine.preflight.Preflight;
import io.fondation.engine.runtime.FaultyQueue;
import io.fondation.engine.runtime.JobTools;
import io.fondation.engine.runtime.Worker;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.FailureKind;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Secret;
import io.fondation.shared.contract.MutableClock;
import io.fondation.worker.assembly.WorkerAssembly;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.e2e.TestAnalyzer;
import io.fondation.worker.e2e.WorkerEvents;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's lifecycle and poll loop, against the real embedded queue behind a fault switch. */
class WorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final FaultyQueue queue = new FaultyQueue(SqliteJobQueue.inMemory(clock));
    private Worker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.stop();
        }
        queue.close();
    }

    private WorkerConfig config(Map<String, String> overrides) {
        Path script = TestAnalyzer.install(temp.resolve("bin"));
        Map<String, String> env = new HashMap<>(Map.of(
                "HOME",
                temp.toString(),
                "WORKER_ID",
                "w1",
                "POLL_INTERVAL",
                "20",
                "TEMP_DIR",
                temp.resolve("tmp").toString(),
                "ANALYZER",
                "command",
                "ANALYZER_COMMAND",
                TestAnalyzer.commandJson(script),
                "HEARTBEAT_INTERVAL",
                "500"));
        env.putAll(overrides);
        return WorkerConfigLoader.load(env);
    }

    private Worker worker(Map<String, String> overrides, WorkerListener listener) {
        worker = WorkerAssembly.builder(config(overrides), queue, System.getenv())
                .clock(clock)
                .listener(listener)
                .build();
        return worker;
    }

    private String submitGoodJob(String name) {
        Path repository = TestRepositories.sample(temp.resolve("repos").resolve(name));
        return queue.enqueue(JobSpec.of(CloneSource.ofUrl(repository.toString(), null), ""));
    }

    @Test
    void thePollLoopSurvivesQueueFailuresAndUnexpectedExceptions() {
        worker(Map.of(), new WorkerListener() {}).start();
        await().atMost(WAIT).until(() -> worker.health().lastPollAt() != null);

        queue.claimsFail = true;
        int before = queue.claimCalls.get();
        await().atMost(WAIT).until(() -> queue.claimCalls.get() >= before + 3);
        WorkerHealth degraded = worker.health();
        assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.lastError()).contains("queue unreachable (test)");
        assertThat(degraded.consecutivePollFailures()).isGreaterThanOrEqualTo(3);

        // Not even a bug in a queue (an unchecked exception of any kind) stops the loop.
        queue.claimError = new IllegalStateException("bug in the queue (test)");
        int later = queue.claimCalls.get();
        await().atMost(WAIT).until(() -> queue.claimCalls.get() >= later + 2);

        queue.claimsFail = false;
        String id = submitGoodJob("after-outage");
        await().atMost(WAIT).until(() -> queue.get(id).orElseThrow().status() == JobStatus.COMPLETED);
        assertThat(worker.health().consecutivePollFailures()).isZero();
        assertThat(worker.health().status()).isEqualTo(HealthStatus.DEGRADED); // the error is recent
        clock.advance(Duration.ofMinutes(2));
        await().atMost(WAIT).until(() -> worker.health().status() == HealthStatus.HEALTHY);
        assertThat(worker.metrics().snapshot().get("queue_errors_total").longValue())
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void failedClaimsBackOffExponentially() {
        queue.claimsFail = true;
        worker(Map.of("POLL_INTERVAL", "100"), new WorkerListener() {}).start();
        long started = System.nanoTime();
        // 100, 200, 400, 800 ms between tries: five calls take at least 1.5 s.
        await().atMost(WAIT).until(() -> queue.claimCalls.get() >= 5);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
    }

    @Test
    void aListenerThatThrowsDoesNotFailTheJob() {
        AtomicInteger calls = new AtomicInteger();
        worker(Map.of(), new WorkerListener() {
                    @Override
                    public void onClaimed(ClaimedJob job) {
                        calls.incrementAndGet();
                        throw new IllegalStateException("display bug (test)");
                    }

                    @Override
                    public void onPhase(String jobId, JobStatus phase) {
                        calls.incrementAndGet();
                        throw new IllegalStateException("display bug (test)");
                    }
                })
                .start();
        String id = submitGoodJob("sample");
        await().atMost(WAIT).until(() -> queue.get(id).orElseThrow().status() == JobStatus.COMPLETED);
        assertThat(calls.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void healthFollowsTheLifecycle() {
        worker(Map.of(), new WorkerListener() {});
        assertThat(worker.health().status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(worker.health().state()).isEqualTo("not_started");
        worker.start();
        await().atMost(WAIT).until(() -> worker.health().status() == HealthStatus.HEALTHY);
        assertThatThrownBy(worker::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        worker.stop();
        assertThat(worker.health().status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(worker.health().state()).isEqualTo("stopped");
        worker.stop(); // harmless twice
    }

    @Test
    void aWorkerWithoutAnAnalyzerRefusesToStartAndClaimsNothing() {
        worker(Map.of("ANALYZER", "fondation"), new WorkerListener() {});
        submitGoodJob("sample");
        assertThatThrownBy(worker::start)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("CLI_PATH: not set");
        assertThat(queue.claimCalls.get()).isZero();
    }

    @Test
    void perJobCredentialsAreOfferedToTheGitHostAndARefusalFailsTheJobWithoutRetry() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer git = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        git.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        git.start();
        try {
            String base = "http://127.0.0.1:" + git.getAddress().getPort();
            WorkerConfig config = config(Map.of("GIT_BASE_URL", base));
            TempDirWorkspaces workspaces = new TempDirWorkspaces(config.tempDir(), config.workerId());
            AnalyzerLauncher analyzer = AnalyzerLauncher.withDefaults(config.analyzer(), System.getenv());
            JobTools tools = new JobTools(
                    workspaces, new RepositoryCloner(config.gitBaseUrl(), null, Duration.ofSeconds(10)), analyzer);
            queue.credentials = job -> Optional.of(GitCredentials.ofToken(Secret.of("job-token")));
            worker = Worker.builder(config.workerSettings(), queue, tools)
                    .clock(clock)
                    .fitnessChecks(Preflight.checks(config.analyzer(), workspaces, analyzer, System.getenv()))
                    .build();
            worker.start();
            String id = queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/private", null), ""));

            await().atMost(WAIT).until(() -> queue.get(id).orElseThrow().status() == JobStatus.FAILED);

            JobSnapshot job = queue.get(id).orElseThrow();
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.lastError())
                    .isEqualTo("authentication failed for " + base + "/acme/private.git: the token was refused");
            assertThat(authorizations)
                    .isNotEmpty()
                    .allSatisfy(header -> assertThat(header)
                            .isEqualTo("Basic "
                                    + Base64.getEncoder()
                                            .encodeToString(
                                                    "x-access-token:job-token".getBytes(StandardCharsets.UTF_8))));
        } finally {
            git.stop(0);
        }
    }

    @Test
    void credentialsThatCannotBeReadAreAWorkerFaultThatReleasesTheJob() {
        WorkerConfig config = config(Map.of());
        WorkerEvents events = new WorkerEvents();
        queue.credentials = job -> {
            throw new ConfigurationException("ENCRYPTION_KEY", "cannot decrypt the GitHub token (test)");
        };
        worker = WorkerAssembly.builder(config, queue, System.getenv())
                .clock(clock)
                .listener(events)
                .build();
        worker.start();
        String id = submitGoodJob("sample");

        AttemptOutcome.Released released = events.awaitOutcome(id, AttemptOutcome.Released.class, WAIT);

        assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.WORKER_FAULT);
        assertThat(released.fault().message())
                .isEqualTo("cannot read the clone credentials: ENCRYPTION_KEY: cannot decrypt the GitHub token (test)");
        assertThatJob(queue.get(id).orElseThrow())
                .hasStatus(JobStatus.PENDING)
                .hasAttempts(0)
                .hasNoLastError();
        assertThat(worker.health().ready()).isFalse();
        assertThat(events.faults()).extracting(JobFailure::kind).containsExactly(FailureKind.CONFIGURATION);
    }

    @Test
    void aSecretInAFailureMessageNeverReachesTheJob() {
        WorkerConfig config = config(Map.of());
        String token = "ghp_" + "A".repeat(36);
        queue.credentials = job -> {
            throw new JobQueueException(
                    "refused token " + token + " for https://bot:" + token + "@example.test/x.git", true);
        };
        worker = WorkerAssembly.builder(config, queue, System.getenv())
                .clock(clock)
                .build();
        worker.start();
        String id = submitGoodJob("sample");

        // why: attempts counts the attempts started; the failure is recorded when the first one ends
        await().atMost(WAIT).until(() -> queue.get(id).orElseThrow().lastError() != null);
        assertThat(queue.get(id).orElseThrow().attempts()).isEqualTo(1);
        assertThat(queue.get(id).orElseThrow().lastError())
                .isEqualTo("cannot read the clone credentials: refused token [REDACTED]"
                        + " for https://[REDACTED]@example.test/x.git");
    }

    @Test
    void workspacesLeftByAnEarlierRunAreDeletedAtStart() throws Exception {
        WorkerConfig config = config(Map.of());
        Path leftover;
        // An earlier run of this worker: it left a workspace and let go of its folder when it ended.
        try (TempDirWorkspaces earlier = new TempDirWorkspaces(config.tempDir(), config.workerId())) {
            leftover = earlier.create("crashed-job").root();
        }
        worker = WorkerAssembly.builder(config, queue, System.getenv())
                .clock(clock)
                .build();
        worker.start();
        assertThat(leftover).doesNotExist();
    }
}
