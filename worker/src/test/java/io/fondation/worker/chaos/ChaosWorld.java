package io.fondation.worker.chaos;

import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.process.ProcessTree;
import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.ConvexQueueSettings;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.TestAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The world of one chaos case: a queue (embedded file or the local Convex server, optionally behind a proxy),
 * a repository to analyse, the test analyzer, a {@code TEMP_DIR} shared by every worker process, and the worker
 * processes themselves, all cleaned up at the end.
 */
final class ChaosWorld implements AutoCloseable {

    final Backend backend;
    final Path root;
    final Path tempDir;
    final Path script;
    final Path repository;
    /** Where the test analyzer writes its process ids and reads its signals: writable in its sandbox. */
    final Path signals;

    private final LocalConvexServer convex;
    private final Path database;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private JobQueue queue;

    ChaosWorld(Backend backend, Path root, LocalConvexServer convex) {
        this.backend = backend;
        this.root = root;
        this.convex = convex;
        this.tempDir = root.resolve("tmp");
        this.script = TestAnalyzer.install(root.resolve("bin"));
        this.repository = TestRepositories.packed(
                TestRepositories.sample(root.resolve("repos").resolve("sample")));
        this.database = root.resolve("queue.db");
        try {
            this.signals = Files.createDirectories(root.resolve("signals"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment of a worker named {@code name}, talking to {@code queueUrl} (Convex) or the file. */
    Map<String, String> env(String name, String queueUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", root.toString());
        env.put("WORKER_ID", name);
        env.put("POLL_INTERVAL", "200");
        env.put("LEASE_TIME", "4000");
        env.put("HEARTBEAT_INTERVAL", "1000");
        env.put("TEMP_DIR", tempDir.toString());
        env.put("MIN_FREE_DISK_MB", "0");
        env.put("ANALYZER", "command");
        env.put("ANALYZER_COMMAND", TestAnalyzer.commandJson(script));
        env.put("ANALYZER_KILL_GRACE", "1000");
        env.put("ANALYZER_WRITABLE_DIRS", signals.toString());
        env.put("HEALTH_PORT", "0");
        env.put("HEALTH_HOST", "127.0.0.1");
        env.put("SHUTDOWN_GRACE", "10000");
        env.put("ALLOW_LOCAL_REPOSITORIES", "true");
        env.put("LOG_LEVEL", "INFO");
        if (backend == Backend.EMBEDDED) {
            env.put("QUEUE", "embedded");
            env.put("EMBEDDED_DB_PATH", database.toString());
        } else {
            env.put("QUEUE", "convex");
            env.put("CONVEX_URL", queueUrl);
            env.put("FONDATION_WORKER_SECRET", LocalConvexServer.WORKER_SECRET);
        }
        return env;
    }

    Map<String, String> env(String name) {
        return env(name, backend == Backend.CONVEX ? convex.url() : null);
    }

    /** Starts {@code fondation-worker run} as a process with {@link #env(String)} plus {@code extra}. */
    WorkerProcess startWorker(String name, Map<String, String> extra) {
        Map<String, String> env = env(name);
        env.putAll(extra);
        return start(name, env);
    }

    WorkerProcess start(String name, Map<String, String> env, String... args) {
        WorkerProcess worker =
                WorkerProcess.start(root.resolve("logs"), name, env, args.length == 0 ? new String[] {"run"} : args);
        workers.add(worker);
        return worker;
    }

    /** The queue, as the test sees it. */
    synchronized JobQueue queue() {
        if (queue == null) {
            queue = backend == Backend.EMBEDDED
                    ? SqliteJobQueue.open(database, Clock.systemUTC())
                    : ConvexJobQueue.connect(
                            ConvexQueueSettings.of(convex.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET),
                            Clock.systemUTC());
        }
        return queue;
    }

    /** Queues a job on the sample repository; the prompt picks the test analyzer's behaviour. */
    String submit(String prompt) {
        return queue().enqueue(JobSpec.of(CloneSource.ofUrl(repository.toString(), null), prompt));
    }

    JobSnapshot job(String id) {
        return queue().get(id).orElseThrow();
    }

    JobSnapshot awaitStatus(String id, JobStatus status, Duration max) {
        await().atMost(max).pollInterval(Duration.ofMillis(100)).until(() -> job(id).status() == status);
        return job(id);
    }

    /** Waits until the job's checkpoint holds a file whose path starts with {@code prefix} (e.g. a chapter folder). */
    void awaitCheckpointed(String id, String prefix, Duration max) {
        await("a file under " + prefix + " is checkpointed")
                .atMost(max)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> queue().checkpoint(id)
                        .map(c -> c.files().stream().anyMatch(f -> f.path().startsWith(prefix)))
                        .orElse(false));
    }

    /**
     * The machine's id of the process that the test analyzer wrote into {@code file} (an id of its sandbox's PID
     * namespace), once it is there.
     */
    static long awaitPid(Path file) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(file) && !Files.readString(file).isBlank());
        return TestAnalyzer.hostPid(file);
    }

    /** Whether the process is gone (a zombie waiting for an init that does not reap counts as gone). */
    static boolean dead(long pid) {
        return ProcessHandle.of(pid).map(p -> !ProcessTree.isRunning(p)).orElse(true);
    }

    /** The job workspaces under TEMP_DIR (the workers' lock files aside). */
    long workspaces() {
        if (!Files.isDirectory(tempDir)) {
            return 0;
        }
        try (Stream<Path> folders = Files.list(tempDir)) {
            return folders.filter(Files::isDirectory)
                    .mapToLong(folder -> {
                        try (Stream<Path> entries = Files.list(folder)) {
                            return entries.filter(
                                            e -> !e.getFileName().toString().equals(".lock"))
                                    .count();
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        workers.forEach(WorkerProcess::close);
        if (queue != null) {
            queue.close();
        }
        killLeftovers();
    }

    /**
     * Kills what a case left running (a stubborn analyzer whose worker was killed with {@code -9}): whatever the
     * assertions said, the next case and the machine start clean.
     */
    private void killLeftovers() {
        String marker = root.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info()
                        .commandLine()
                        .map(line -> line.contains(marker))
                        .orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }
}
