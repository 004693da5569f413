package io.fondation.worker.cli;

import io.fondation.engine.runtime.StopSignal;
import io.fondation.http.api.ApiSettings;
import io.fondation.http.api.HttpApi;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.ApiSettingsLoader;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
                    + "and the status page (/ui/); beyond loopback it needs API_TOKEN."
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

    public RunCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    @SuppressWarnings("try") // why: the stop action closes the runtime early, on purpose (-Werror, -Xlint:try)
    public Integer call() throws InterruptedException {
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
        try (WorkerRuntime runtime =
                        WorkerRuntime.open(config, environment.clock(), new LoggingListener(), environment.env());
                HttpApi api = runtime.serveApi(
                        apiSettings, environment.clock(), config.queue().kind().configName())) {
            // The stop action closes the runtime itself: on SIGHUP the JVM exits once the action returns.
            // WorkerRuntime.close() runs once, and a second caller waits for the first to finish.
            StopSignal.Registration registration = environment.stopSignal().onStop(() -> {
                LOG.info("Stopping worker {}: releasing in-flight jobs", config.workerId());
                runtime.close();
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
                stopped.await();
            } finally {
                registration.close();
            }
        }
        LOG.info("Worker {} stopped", config.workerId());
        return ExitCodes.OK;
    }
}
