package io.fondation.worker.e2e;

import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.contract.MutableClock;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real worker for end-to-end tests: an embedded SQLite queue in a file, the test analyzer script,
 * workspaces and a health server on loopback, and a settable clock for leases and backoff.
 */
public final class WorkerFixture implements AutoCloseable {

    public static final String WORKER_ID = "e2e-worker";
    public static final long LEASE_MS = 60_000;

    public final Path root;
    public final Path script;
    public final Path database;
    public final Path tempDir;
    /**
     * A directory the analyzer may write ({@code ANALYZER_WRITABLE_DIRS}) and the test reads: the test analyzer's
     * process-id and signal files go there, the rest of the fixture's root being hidden from its sandbox.
     */
    public final Path signals;

    public final MutableClock clock = MutableClock.startingAtDefault();
    public final WorkerEvents listener = new WorkerEvents();
    public final WorkerConfig config;
    public final WorkerRuntime runtime;

    public WorkerFixture(Path root, Map<String, String> overrides) {
        this(root, overrides, null);
    }

    /**
     * @param analyzerEnvironment the environment the analyzer's is filtered from (and whose {@code PATH} finds
     *     programs), or null for this JVM's
     */
    public WorkerFixture(Path root, Map<String, String> overrides, Map<String, String> analyzerEnvironment) {
        this.root = root;
        this.script = TestAnalyzer.install(root.resolve("bin"));
        this.database = root.resolve("queue.db");
        this.tempDir = root.resolve("tmp");
        try {
            this.signals = Files.createDirectories(root.resolve("signals"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("HOME", root.toString());
        env.put("WORKER_ID", WORKER_ID);
        env.put("POLL_INTERVAL", "50");
        env.put("LEASE_TIME", Long.toString(LEASE_MS));
        env.put("HEARTBEAT_INTERVAL", "500");
        env.put("MAX_CONCURRENT_JOBS", "1");
        env.put("TEMP_DIR", tempDir.toString());
        env.put("QUEUE", "embedded");
        env.put("EMBEDDED_DB_PATH", database.toString());
        env.put("ANALYZER", "command");
        env.put("ANALYZER_COMMAND", TestAnalyzer.commandJson(script));
        env.put("ANALYZER_KILL_GRACE", "2000");
        env.put("ANALYZER_WRITABLE_DIRS", signals.toString());
        env.put("HEALTH_PORT", "0");
        env.put("HEALTH_HOST", "127.0.0.1");
        env.put("SHUTDOWN_GRACE", "15000");
        env.putAll(overrides);
        this.config = WorkerConfigLoader.load(env, Map.of());
        this.runtime = analyzerEnvironment == null
                ? WorkerRuntime.open(config, clock, listener)
                : WorkerRuntime.open(config, clock, listener, analyzerEnvironment);
    }

    public WorkerFixture(Path root) {
        this(root, Map.of());
    }

    public JobQueue queue() {
        return runtime.queue();
    }

    public WorkerFixture start() {
        runtime.start();
        return this;
    }

    /** A sample repository (trunk with two commits, a feature branch) under the fixture's root. */
    public Path repository(String name) {
        return TestRepositories.sample(root.resolve("repos").resolve(name));
    }

    public String submit(Path repository, String branch, String prompt) {
        return queue().enqueue(JobSpec.of(CloneSource.ofUrl(repository.toString(), branch), prompt));
    }

    public String submit(JobSpec spec) {
        return queue().enqueue(spec);
    }

    public JobSnapshot job(String id) {
        return queue().get(id).orElseThrow();
    }

    /** The workspaces this worker has on disk now. */
    public long workspaceCount() {
        Path mine = tempDir.resolve(WORKER_ID);
        if (!Files.isDirectory(mine)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(mine)) {
            // the worker's lock on its folder is not a workspace
            return entries.filter(e -> !e.getFileName().toString().equals(".lock"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        runtime.close();
    }
}
