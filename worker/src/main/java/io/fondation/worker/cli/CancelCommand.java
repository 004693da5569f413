package io.fondation.worker.cli;

import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.worker.config.WorkerConfig;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cancel}: requests the cancellation of a job. */
@Command(
        name = "cancel",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Cancel a job. A pending job is canceled at once; a running one is marked canceled and its worker stops"
                    + " the analyzer's whole process tree (within seconds on the embedded queue and with a pushing"
                    + " Convex queue, within a heartbeat interval otherwise) and writes nothing more.",
            "Exits 0 when the job was canceled, 1 when it does not exist or had already ended."
        })
public final class CancelCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB-ID", description = "The job (or the first characters of its id).")
    String jobId;

    @Mixin
    QueueOptions queueOptions;

    public CancelCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        LogLevels.defaultTo(environment.env(), "WARN");
        WorkerConfig config = QueueCommands.config(environment, queueOptions);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (JobQueue queue = QueueCommands.open(environment, config)) {
            Optional<JobSnapshot> job = JobIds.find(queue, jobId);
            if (job.isEmpty()) {
                err.println(CliErrors.PREFIX + "no job '" + jobId + "' in " + QueueCommands.describe(config.queue()));
                return ExitCodes.FAILURE;
            }
            JobSnapshot before = job.get();
            if (!queue.cancel(before.id())) {
                JobSnapshot now = queue.get(before.id()).orElse(before);
                err.println(CliErrors.PREFIX + "job " + before.id() + " was not canceled: it had already ended ("
                        + now.status().wireName() + ")");
                return ExitCodes.FAILURE;
            }
            out.println("Canceled job " + before.id()
                    + (before.status().isLeased()
                            ? " (it was running on " + before.lockedBy() + ", which now stops its analyzer)"
                            : ""));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
