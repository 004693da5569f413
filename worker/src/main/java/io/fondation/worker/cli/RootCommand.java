package io.fondation.worker.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /**
     * The subcommands by name, in the order the usage lists them. Registered by {@code Main} rather than in the
     * annotation, so that a command line naming one builds only that one (picocli's model of all seven took
     * about a twentieth of a start to ready).
     */
    public static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    @Spec
    CommandSpec spec;

    /** The subcommands a command line needs: only the one it names, else all (for the usage and its errors). */
    public static Map<String, Class<?>> subcommandsFor(String... args) {
        if (args.length > 0 && SUBCOMMANDS.containsKey(args[0])) {
            return Map.of(args[0], SUBCOMMANDS.get(args[0]));
        }
        return SUBCOMMANDS;
    }

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        all.put("run", RunCommand.class);
        all.put("run-job", RunJobCommand.class);
        all.put("dev", DevCommand.class);
        all.put("submit", SubmitCommand.class);
        all.put("status", StatusCommand.class);
        all.put("docs", DocsCommand.class);
        all.put("cancel", CancelCommand.class);
        return Collections.unmodifiableMap(all);
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "a command is required: run, run-job, dev, submit, status, docs or cancel");
    }
}
