package io.fondation.worker.cli;

import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.git.FileTrees;
import io.fondation.engine.runtime.StopSignal;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Document;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Secret;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.ApiSettingsLoader;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dev}: the embedded queue and a worker in one process. Submits the repositories, shows
 * their progress, and when every job has ended writes the documents of the completed ones.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Analyse repositories on this machine: the embedded queue and a worker in one process.",
            "Submits each REPOSITORY (default: the current directory), shows the progress, and when every job has ended "
                    + "writes the documents of each completed job to OUT/<job-id>/. Exits 0 when all completed, "
                    + "1 when one failed for good, 130 when interrupted (unfinished jobs go back to the queue).",
            "Use --dry-run to try it without the Fondation CLI or an LLM; --serve to submit and watch jobs in a browser."
        })
public final class DevCommand implements Callable<Integer> {

    /** POLL_INTERVAL for dev unless set: a local queue is cheap to poll, and a person is waiting. */
    static final String DEV_POLL_INTERVAL_MS = "200";
    /** How often the queue is read while waiting when no worker event arrives. */
    static final Duration RECHECK = Duration.ofMillis(500);

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "0..*",
            paramLabel = "REPOSITORY",
            description = "URL, local git directory or owner/name (default: .).")
    List<String> repositories = new ArrayList<>();

    @Option(
            names = "--db",
            paramLabel = "PATH",
            description = "SQLite file of a shared embedded queue (EMBEDDED_DB_PATH), whose pending jobs run here too;"
                    + " default: a queue of this run's own, removed at exit, so only the given repositories run.")
    Path db;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            defaultValue = "fondation-output",
            description = "Where documents are written, one directory per job (default: ./${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--serve",
            description =
                    "Also serve the status page and the job API on 127.0.0.1 (port: --health-port, HEALTH_PORT or "
                            + "8081; 0 for any free one) and keep running until Ctrl-C, taking jobs from the page; the given "
                            + "repositories (none by default) are queued first.")
    boolean serve;

    @Mixin
    JobOptions job;

    @Mixin
    WorkerOptions workerOptions;

    public DevCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        LogLevels.defaultTo(environment.env(), "WARN");
        Path ownQueue = ownQueueDirectory();
        try {
            return run(ownQueue);
        } finally {
            if (ownQueue != null) {
                try {
                    FileTrees.deleteRecursively(ownQueue);
                } catch (IOException e) {
                    spec.commandLine().getErr().println(CliErrors.PREFIX + "could not remove " + ownQueue + ": " + e);
                }
            }
        }
    }

    /**
     * A directory for a queue of this run's own, unless {@code --db} or {@code EMBEDDED_DB_PATH} names a shared one:
     * dev then runs the jobs it submits and nothing else (an earlier {@code submit}'s job stays pending for its own
     * worker).
     */
    private Path ownQueueDirectory() throws IOException {
        if (db != null || !isUnset("EMBEDDED_DB_PATH")) {
            return null;
        }
        return Files.createTempDirectory("fondation-dev-");
    }

    @SuppressWarnings("try") // why: the stop action closes the runtime early, on purpose (-Werror, -Xlint:try)
    private int run(Path ownQueue) throws InterruptedException, IOException {
        WorkerConfig config = config(ownQueue);
        ApiSettings apiSettings = ApiSettingsLoader.load(environment.env(), config, serve);
        String madeToken = null;
        if (apiSettings.enabled() && !apiSettings.authRequired()) {
            // why: dev's API accepts local repositories, so even on loopback no page, no other local user and no
            // other program may read or submit without the token; it is shown once, on this terminal
            madeToken = randomToken();
            apiSettings = apiSettings.withToken(Secret.of(madeToken));
        }
        List<String> given = repositories.isEmpty() && !serve ? List.of(".") : repositories;
        List<JobSpec> specs = new ArrayList<>();
        for (String repository : given) {
            CloneSource source = RepositoryArgument.parse(repository, job.branch(), environment);
            specs.add(job.spec(source));
        }

        PrintWriter stdout = spec.commandLine().getOut();
        ProgressDisplay display = new ProgressDisplay(stdout, environment.clock(), environment.terminal());
        JobWatch watch = new JobWatch();
        // WorkerRuntime.close() runs once, and a second caller waits for the first to finish.
        try (WorkerRuntime runtime = WorkerRuntime.open(
                        config, environment.clock(), new CompositeListener(display, watch), environment.env());
                HttpApi api = runtime.serveApi(apiSettings, environment.clock(), "embedded")) {
            // The stop action closes the runtime itself: on SIGHUP the JVM exits once the action returns.
            StopSignal.Registration registration = environment.stopSignal().onStop(() -> {
                watch.requestStop();
                runtime.close();
            });
            boolean ended;
            List<String> ids = new ArrayList<>();
            try {
                // The worker is checked (analyzer, TEMP_DIR) and the port bound before anything is queued: a worker
                // that cannot work, or a port in use, must leave no job behind.
                runtime.listen();
                for (JobSpec jobSpec : specs) {
                    String id = runtime.queue().enqueue(jobSpec);
                    ids.add(id);
                    display.line(ProgressDisplay.prefix(id) + "queued "
                            + jobSpec.source().describe() + " (job id " + id + ")");
                }
                runtime.start();
                display.line(
                        ownQueue != null
                                ? "Queue: this run's own (" + config.queue().embeddedDbPath()
                                        + ", removed at exit): only the"
                                        + " jobs given here run (--db or EMBEDDED_DB_PATH to share one)"
                                : "Queue: " + config.queue().embeddedDbPath()
                                        + ", shared: its pending jobs run here too,"
                                        + " those of other submits included");
                display.line("Worker " + config.workerId() + " running with the "
                        + config.analyzer().kind().configName() + " analyzer"
                        + (config.healthEnabled()
                                ? "; health on http://" + hostForUrl(config.healthHost()) + ":" + runtime.healthPort()
                                        + "/health"
                                : ""));
                if (api != null) {
                    display.line("Status page: http://" + hostForUrl(config.healthHost()) + ":" + runtime.healthPort()
                            + "/ui/  (Ctrl-C to stop)");
                    if (madeToken != null) {
                        display.line("API token of this run (sign in on the page with it, or send Authorization:"
                                + " Bearer): " + madeToken);
                    }
                }
                if (serve) {
                    watch.awaitStop();
                    ended = true;
                } else {
                    ended = watch.awaitEnd(runtime.queue(), ids, RECHECK);
                }
            } catch (RuntimeException e) {
                if (watch.stopRequested()) {
                    ended = false; // the queue was closed under the wait by the stop action
                } else {
                    throw e;
                }
            } finally {
                registration.close();
            }
            String unfinished = ownQueue != null
                    ? "unfinished jobs end with this run's queue."
                    : "unfinished jobs were released back to the queue.";
            if (serve) {
                runtime.close();
                display.line("Stopped; " + unfinished);
                return ExitCodes.OK;
            }
            if (!ended) {
                runtime.close();
                display.line("Stopped before the jobs ended; " + unfinished);
                return ExitCodes.INTERRUPTED;
            }
            return report(runtime.queue(), ids, display);
        }
    }

    /** 256 random bits in hex, as {@code openssl rand -hex 32} makes them (and shaped so logs mask it). */
    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private WorkerConfig config(Path ownQueue) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("QUEUE", "embedded");
        if (db != null) {
            overrides.put("EMBEDDED_DB_PATH", environment.resolve(db).toString());
        } else if (ownQueue != null) {
            overrides.put("EMBEDDED_DB_PATH", ownQueue.resolve("queue.db").toString());
        }
        if (isUnset("POLL_INTERVAL")) {
            overrides.put("POLL_INTERVAL", DEV_POLL_INTERVAL_MS);
        }
        // No health server unless asked for: dev is one person's process, and 8081 may be taken.
        overrides.put(
                "HEALTH_PORT",
                serve && !isUnset("HEALTH_PORT") ? environment.env().get("HEALTH_PORT") : serve ? "8081" : "-1");
        if (isUnset("HEALTH_HOST")) {
            overrides.put("HEALTH_HOST", "127.0.0.1");
        }
        workerOptions.applyTo(overrides, environment);
        // dev reads only what its --help lists: the queue's variables are someone else's.
        WorkerConfig config = WorkerConfigLoader.load(
                ConfigVariables.readBy(ConfigVariable.Command.DEV, environment.env()), overrides);
        if (config.analyzer().kind() == AnalyzerSettings.Kind.FONDATION
                && config.analyzer().optionalCliPath().isEmpty()) {
            throw new ConfigurationException(
                    "CLI_PATH",
                    "not set; dev runs the Fondation CLI (set CLI_PATH or --cli-path), or Claude Code when it is"
                            + " installed (claude on PATH, or CLAUDE_PATH), or use --dry-run for the offline analyzer");
        }
        return config;
    }

    /** {@code ::1} needs brackets in a URL. */
    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private boolean isUnset(String name) {
        String value = environment.env().get(name);
        return value == null || value.isBlank();
    }

    /** Writes the documents of completed jobs; reports the others. */
    private int report(JobQueue queue, List<String> ids, ProgressDisplay display) throws IOException {
        PrintWriter stderr = spec.commandLine().getErr();
        int completed = 0;
        for (String id : ids) {
            Optional<JobSnapshot> found = queue.get(id);
            if (found.isEmpty()) {
                stderr.println("fondation-worker: job " + id + " disappeared from the queue");
                continue;
            }
            JobSnapshot job = found.get();
            if (job.status() == JobStatus.COMPLETED) {
                List<Document> documents = queue.documents(id);
                Path directory = environment.resolve(out).resolve(id);
                List<Path> written = DocumentExporter.export(documents, directory);
                display.line(ProgressDisplay.prefix(id) + written.size() + " documents written to " + directory);
                completed++;
            } else {
                String error = job.lastError() == null || job.lastError().isBlank()
                        ? "(no error recorded)"
                        : job.lastError().strip();
                stderr.println("fondation-worker: job " + id + " ("
                        + JobFormatter.describe(job) + ") " + job.status().wireName() + " after " + job.attempts() + "/"
                        + job.maxAttempts() + " attempts: " + error);
                stderr.flush();
            }
        }
        display.line(
                completed == ids.size()
                        ? "Done: " + completed + (completed == 1 ? " job" : " jobs") + " completed."
                        : "Done: " + completed + " of " + ids.size() + " jobs completed; see the errors above.");
        return completed == ids.size() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
