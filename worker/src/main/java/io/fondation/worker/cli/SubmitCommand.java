package io.fondation.worker.cli;

import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.worker.config.WorkerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code submit}: adds a job to the queue and prints its id. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Add a repository analysis job to the queue and print its id on stdout.",
            "The repository is a URL, a local git directory (its committed state is analysed) or owner/name "
                    + "(cloned from GIT_BASE_URL, default https://github.com)."
        })
public final class SubmitCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REPOSITORY", description = "URL, local git directory or owner/name.")
    String repository;

    @Mixin
    JobOptions job;

    @Mixin
    QueueOptions queueOptions;

    public SubmitCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        LogLevels.defaultTo(environment.env(), "WARN");
        CloneSource source = RepositoryArgument.parse(repository, job.branch(), environment);
        var jobSpec = job.spec(source);
        WorkerConfig config = QueueCommands.config(environment, queueOptions);
        try (JobQueue queue = QueueCommands.open(environment, config)) {
            String id = queue.enqueue(jobSpec);
            spec.commandLine().getOut().println(id);
            spec.commandLine().getOut().flush();
            spec.commandLine()
                    .getErr()
                    .println("Queued " + source.describe() + " in " + QueueCommands.describe(config.queue())
                            + "; follow it with: fondation-worker status " + JobIds.shortId(id));
        }
        return ExitCodes.OK;
    }
}
