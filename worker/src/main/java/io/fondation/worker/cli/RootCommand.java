package io.fondation.worker.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fondation-worker}: the subcommands. Without one, prints the usage and exits 2. */
@Command(
        name = "fondation-worker",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = ManifestVersionProvider.class,
        description = {
            "Turns repositories into courses: takes analysis jobs from a queue (Convex in production, an embedded "
                    + "SQLite file on one machine), runs the Fondation CLI on each cloned repository and stores the documents."
        },
        subcommands = {
            RunCommand.class,
            RunJobCommand.class,
            DevCommand.class,
            SubmitCommand.class,
            StatusCommand.class,
            DocsCommand.class,
            CancelCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  fondation-worker dev --dry-run .    analyse this repository offline (no LLM);",
            "                                      documents in ./fondation-output/<job-id>/",
            "  fondation-worker run                the production worker; see run --help",
            "  fondation-worker run-job            one job from JOB_ID, REPOSITORY_URL, CALLBACK_URL ...,",
            "                                      reported to a webhook; see run-job --help",
            "  fondation-worker submit owner/name  queue a job; follow it with status",
            "  fondation-worker cancel 1a2b3c4d    cancel a job (a running one stops)",
            "",
            "Exit codes: 0 ok, 1 job failed or runtime error, 2 usage or configuration",
            "error, 130 interrupted (run-job: 3 when its final callback failed)."
        })
public final class RootCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "a command is required: run, run-job, dev, submit, status, docs or cancel");
    }
}
