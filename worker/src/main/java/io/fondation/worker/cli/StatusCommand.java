package io.fondation.worker.cli;

import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.config.WorkerConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code status}: recent jobs as a table, or one job in full. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Show recent jobs (newest first), or every field of one job.",
            "A job id may be shortened to its first characters when that is unambiguous."
        })
public final class StatusCommand implements Callable<Integer> {

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB-ID", description = "Show this job in full.")
    String jobId;

    @Option(
            names = {"-n", "--limit"},
            paramLabel = "N",
            defaultValue = "20",
            description = "Jobs listed at most (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = "--status",
            paramLabel = "STATUS",
            description = "Only jobs in this status (pending, claimed, cloning, analyzing, "
                    + "gathering, running, completed, failed, canceled, dead).")
    String status;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Mixin
    QueueOptions queueOptions;

    public StatusCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        LogLevels.defaultTo(environment.env(), "WARN");
        JobStatus filter = null;
        if (status != null) {
            try {
                filter = JobStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (limit < 1) {
            throw new UsageException("--limit must be at least 1, was " + limit);
        }
        WorkerConfig config = QueueCommands.config(environment, queueOptions);
        PrintWriter out = spec.commandLine().getOut();
        try (JobQueue queue = QueueCommands.open(environment, config)) {
            if (jobId != null) {
                Optional<JobSnapshot> job = JobIds.find(queue, jobId);
                if (job.isEmpty()) {
                    spec.commandLine()
                            .getErr()
                            .println("fondation-worker: no job '" + jobId + "' in "
                                    + QueueCommands.describe(config.queue()));
                    return ExitCodes.FAILURE;
                }
                out.print(json ? JobFormatter.json(JobFormatter.toMap(job.get())) : JobFormatter.detail(job.get()));
            } else {
                List<JobSnapshot> jobs = queue.list(filter, limit);
                if (json) {
                    out.print(JobFormatter.json(
                            jobs.stream().map(JobFormatter::toMap).toList()));
                } else if (jobs.isEmpty()) {
                    out.println("No jobs" + (filter == null ? "" : " in status " + filter.wireName()) + " in "
                            + QueueCommands.describe(config.queue()) + ".");
                } else {
                    out.print(JobFormatter.table(jobs));
                }
                if (!json) {
                    printPauses(queue, out);
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The fleet's LLM pauses in force (issue 22), after the table: why jobs wait although workers are idle. */
    private static void printPauses(JobQueue queue, PrintWriter out) {
        if (!queue.fleetSupport().supports(io.fondation.shared.FleetSupport.Feature.LLM_PAUSES)) {
            return;
        }
        for (io.fondation.shared.LlmPause pause : queue.pauses()) {
            out.println("LLM credential " + pause.credential() + " paused ("
                    + pause.kind().wireName()
                    + ", " + pause.strikes() + " in a row) until " + pause.resumesAt()
                    + ": no worker claims with it before then");
        }
    }
}
