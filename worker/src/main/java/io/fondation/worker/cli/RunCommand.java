package io.fondation.worker.cli;

import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.StopSignal;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.shared.JobQueue;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.ApiSettingsLoader;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: the long-running worker. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Run the worker until SIGTERM or Ctrl-C: poll the queue, claim a job under a lease, clone the repository, "
                    + "run the analyzer while heartbeating, store the documents, complete or retry.",
            "On SIGTERM the worker stops claiming, stops running analyzers, releases its jobs back to the queue and exits 0.",
            "With HTTP_API=true the health server's port also serves the job API (/api/jobs, /execute, /api/openapi.json) "
                    + "and the status page (/ui/); beyond loopback it needs API_TOKEN.",
            "With --once (a pod per job, KEDA's ScaledJob) it claims at most one job, runs it and exits 0, also when "
                    + "nothing is due within --idle-timeout; SIGTERM releases the job as above and exits 0."
        })
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    private final CliEnvironment environment;

    @Mixin
    WorkerOptions workerOptions;

    @Mixin
    QueueOptions queueOptions;

    // why: the build's class-data-sharing training run (worker/pom.xml, docker/Dockerfile) starts the worker
    // exactly as `run` does, asks its health server once, and stops; not for people, so hidden.
    @Option(names = "--exit-after-start", hidden = true)
    boolean exitAfterStart;

    @Option(
            names = "--once",
            description = "Claim at most one job, run it, exit 0 (also when nothing is due within --idle-timeout).")
    boolean once;

    @Option(
            names = "--idle-timeout",
            paramLabel = "MS",
            defaultValue = "" + DEFAULT_IDLE_TIMEOUT_MS,
            description =
                    "With --once: milliseconds to wait for a due job before exiting 0 (default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    /** {@code --idle-timeout}'s default: a minute, two of KEDA's polls of the depth route at 30 s. */
    static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    public RunCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    @SuppressWarnings("try") // why: the stop action closes the runtime early, on purpose (-Werror, -Xlint:try)
    public Integer call() throws InterruptedException {
        if (idleTimeoutMs < 1) {
            throw new UsageException("--idle-timeout must be a positive number of milliseconds, was " + idleTimeoutMs);
        }
        Map<String, String> overrides = new HashMap<>();
        queueOptions.applyTo(overrides, environment);
        workerOptions.applyTo(overrides, environment);
        Map<String, String> env = ConfigVariables.readBy(ConfigVariable.Command.RUN, environment.env());
        WorkerConfig config = WorkerConfigLoader.load(env, overrides);
        Map<String, String> values = new HashMap<>(env);
        values.putAll(overrides);
        ApiSettings apiSettings = ApiSettingsLoader.load(values, config, false);
        LOG.info("Starting {}", config);
        CountDownLatch stopped = new CountDownLatch(1);
        OnceProgress progress = new OnceProgress();
        OneClaimQueue[] oneClaim = new OneClaimQueue[1];
        WorkerListener listener = once ? new CompositeListener(new LoggingListener(), progress) : new LoggingListener();
        UnaryOperator<JobQueue> wrap =
                once ? queue -> oneClaim[0] = new OneClaimQueue(queue, progress::claimed) : UnaryOperator.identity();
        try (WorkerRuntime runtime =
                        WorkerRuntime.open(config, environment.clock(), listener, environment.env(), wrap);
                HttpApi api = runtime.serveApi(
                        apiSettings, environment.clock(), config.queue().kind().configName())) {
            // The stop action closes the runtime itself: on SIGHUP the JVM exits once the action returns.
            // WorkerRuntime.close() runs once, and a second caller waits for the first to finish.
            StopSignal.Registration registration = environment.stopSignal().onStop(() -> {
                LOG.info("Stopping worker {}: releasing in-flight jobs", config.workerId());
                runtime.close();
                progress.stopped();
                stopped.countDown();
            });
            try {
                runtime.start();
                LOG.info(
                        "Worker {} started on {} with the {} analyzer{}",
                        config.workerId(),
                        QueueCommands.describe(config.queue()),
                        config.analyzer().kind().configName(),
                        config.healthEnabled() ? "; health on port " + runtime.healthPort() : "");
                if (api != null) {
                    LOG.info(
                            "HTTP API and status page on http://{}:{}/ui/ ({})",
                            config.healthHost(),
                            runtime.healthPort(),
                            apiSettings.authRequired() ? "changes need API_TOKEN" : "loopback only, no token");
                }
                if (exitAfterStart) {
                    TrainingRun.askHealth(runtime.healthPort());
                    runtime.close();
                    stopped.countDown();
                }
                if (once) {
                    runOnce(runtime, oneClaim[0], progress, config.workerId());
                    stopped.countDown();
                }
                stopped.await();
            } finally {
                registration.close();
            }
        }
        LOG.info("Worker {} stopped", config.workerId());
        return ExitCodes.OK;
    }

    /**
     * The one-job mode: waits for the one claim up to the idle timeout, then for its attempt to end (completed,
     * retried, failed or released: the queue holds its outcome), then stops the worker as SIGTERM would. A SIGTERM
     * meanwhile has already stopped it (releasing the job); this returns then too.
     */
    private void runOnce(WorkerRuntime runtime, OneClaimQueue queue, OnceProgress progress, String workerId)
            throws InterruptedException {
        Duration idle = Duration.ofMillis(idleTimeoutMs);
        if (!progress.awaitClaimOrStop(idle) && queue.closeClaims().isEmpty()) {
            // why closeClaims: a claim in flight at the deadline either counted (we wait for its job) or is never made
            LOG.info("Worker {}: no job due within {} ms; exiting (--once)", workerId, idleTimeoutMs);
            runtime.close();
            return;
        }
        progress.awaitEndOrStop();
        if (!progress.isStopped()) {
            LOG.info(
                    "Worker {}: job {} ended; exiting (--once)",
                    workerId,
                    queue.claimedJob().orElse("?"));
        }
        runtime.close();
    }
}
