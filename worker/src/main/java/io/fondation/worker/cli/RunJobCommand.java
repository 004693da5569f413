package io.fondation.worker.cli;

import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.runtime.Worker;
import io.fondation.http.oneshot.OneShotJob;
import io.fondation.http.oneshot.OneShotSettings;
import io.fondation.http.oneshot.OneShotSettingsLoader;
import io.fondation.shared.JobQueue;
import io.fondation.worker.assembly.WorkerAssembly;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run-job}: one job from the environment, reported to a webhook (serverless job runners). */
@Command(
        name = "run-job",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Run one job and report it to a webhook, as the existing one-shot mode did (Kubernetes Jobs, Cloud Run "
                    + "Jobs, Scaleway Serverless Jobs): clone REPOSITORY_URL, run the configured analyzer, and post "
                    + "progress, complete (with the files) and error callbacks to CALLBACK_URL with the "
                    + "X-Job-Token header. Callbacks are retried; SIGTERM sends an error callback saying the job was "
                    + "interrupted.",
            "Exit codes: 0 completed and reported, 1 the job failed or its REPOSITORY_URL or BRANCH was refused "
                    + "(reported), 2 usage or configuration error or a fault of the worker itself, 3 the final callback "
                    + "could not be delivered, 130 interrupted. Local paths are refused unless "
                    + "ALLOW_LOCAL_REPOSITORIES=true."
        })
public final class RunJobCommand implements Callable<Integer> {

    /** POLL_INTERVAL of run-job: the queue is in memory, and a retry should start when due. */
    static final String RUN_JOB_POLL_INTERVAL_MS = "200";

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Option(names = "--job-id", paramLabel = "ID", description = "The caller's id of the job (JOB_ID).")
    String jobId;

    @Option(
            names = "--repository-url",
            paramLabel = "URL",
            description = "The repository: a URL or owner/name (REPOSITORY_URL).")
    String repositoryUrl;

    @Option(
            names = {"-b", "--branch"},
            paramLabel = "BRANCH",
            description = "Branch to analyse (BRANCH; default: the repository's default branch).")
    String branch;

    @Option(
            names = "--callback-url",
            paramLabel = "URL",
            description = "Where callbacks are posted (CALLBACK_URL). The token is read from CALLBACK_TOKEN only.")
    String callbackUrl;

    @Option(
            names = {"-p", "--prompt"},
            paramLabel = "TEXT",
            description = "Prompt passed to the analyzer.")
    String prompt;

    @Option(
            names = "--max-attempts",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Attempts within this run; retryable failures are retried with backoff (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Mixin
    WorkerOptions workerOptions;

    public RunJobCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        Map<String, String> overrides = new HashMap<>();
        put(overrides, "JOB_ID", jobId);
        put(overrides, "REPOSITORY_URL", repositoryUrl);
        put(overrides, "BRANCH", branch);
        put(overrides, "CALLBACK_URL", callbackUrl);
        // One job, in memory: no queue to open, no second slot, no health server unless asked for.
        overrides.put("QUEUE", "embedded");
        overrides.put("MAX_CONCURRENT_JOBS", "1");
        overrides.put("HEALTH_PORT", "-1");
        overrides.put("POLL_INTERVAL", RUN_JOB_POLL_INTERVAL_MS);
        if (isUnset("ALLOW_LOCAL_REPOSITORIES")) {
            // why: REPOSITORY_URL comes from whoever launches the job (the web app, for a user); a path on the
            // job's machine is not a repository of theirs unless the operator says so
            overrides.put("ALLOW_LOCAL_REPOSITORIES", "false");
        }
        workerOptions.applyTo(overrides, environment);
        // why: run-job reads only what its --help lists (a queue's settings left in the environment are not its)
        Map<String, String> env = ConfigVariables.readBy(ConfigVariable.Command.RUN_JOB, environment.env());
        WorkerConfig config = WorkerConfigLoader.load(env, overrides);
        Map<String, String> values = new HashMap<>(env);
        values.putAll(overrides);
        OneShotSettings settings =
                OneShotSettingsLoader.load(values, prompt, maxAttempts, config.allowLocalRepositories(), Path.of("/"));
        PrintWriter out = spec.commandLine().getOut();
        OneShotJob job = new OneShotJob(
                settings, (queue, listener) -> worker(config, queue, listener), environment.clock(), line -> {
                    out.println(line);
                    out.flush();
                });
        return job.run(environment.stopSignal());
    }

    /** The worker of the one job ({@link WorkerAssembly#oneShotBuilder}). */
    private Worker worker(WorkerConfig config, JobQueue queue, WorkerListener listener) {
        return WorkerAssembly.oneShotBuilder(config, queue, environment.env())
                .clock(environment.clock())
                .listener(listener)
                .build();
    }

    private boolean isUnset(String name) {
        String value = environment.env().get(name);
        return value == null || value.isBlank();
    }

    private static void put(Map<String, String> overrides, String name, String value) {
        if (value != null) {
            overrides.put(name, value);
        }
    }
}
