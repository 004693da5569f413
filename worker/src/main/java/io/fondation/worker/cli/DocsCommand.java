package io.fondation.worker.cli;

import io.fondation.shared.Document;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code docs}: writes a job's documents to a directory. */
@Command(
        name = "docs",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Write the documents of a job to a directory, each at its slug (chapters/chapter_1_x.md, ...).",
            "YAML steps are written as stored: JSON, which YAML readers accept."
        })
public final class DocsCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB-ID", description = "The job (or the first characters of its id).")
    String jobId;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            description = "Output directory (default: fondation-output/<job-id> in the current directory).")
    Path out;

    @Mixin
    QueueOptions queueOptions;

    public DocsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        LogLevels.defaultTo(environment.env(), "WARN");
        WorkerConfig config = QueueCommands.config(environment, queueOptions);
        try (JobQueue queue = QueueCommands.open(environment, config)) {
            Optional<JobSnapshot> job = JobIds.find(queue, jobId);
            if (job.isEmpty()) {
                spec.commandLine()
                        .getErr()
                        .println("fondation-worker: no job '" + jobId + "' in "
                                + QueueCommands.describe(config.queue()));
                return ExitCodes.FAILURE;
            }
            List<Document> documents = queue.documents(job.get().id());
            if (documents.isEmpty()) {
                spec.commandLine()
                        .getErr()
                        .println("fondation-worker: job " + job.get().id() + " has no documents (status: "
                                + job.get().status().wireName() + "; only a completed job has a course)");
                return ExitCodes.FAILURE;
            }
            Path directory = out != null
                    ? environment.resolve(out)
                    : defaultDirectory(environment, job.get().id());
            List<Path> written = DocumentExporter.export(documents, directory);
            spec.commandLine().getOut().println("Wrote " + written.size() + " documents to " + directory);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ./fondation-output/<job-id>} */
    static Path defaultDirectory(CliEnvironment environment, String jobId) {
        return environment.resolve(Path.of("fondation-output", jobId));
    }
}
