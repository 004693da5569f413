package io.fondation.worker.cli;

import io.fondation.shared.JobSpec;
import io.fondation.worker.config.WorkerConfigLoader;
import picocli.CommandLine;

/** The environment variables the worker reads, for the help footer of {@code run} and {@code dev}. */
public final class EnvironmentHelp {

    private EnvironmentHelp() {}

    /** Adds the environment variables to the help of the commands that run a worker. */
    public static void install(CommandLine root) {
        for (String name : new String[] {"run", "dev"}) {
            CommandLine sub = root.getSubcommands().get(name);
            if (sub != null) {
                sub.getCommandSpec().usageMessage().footer(footer());
            }
        }
    }

    static String[] footer() {
        return new String[] {
            "",
            "Environment (a flag overrides the variable named in its description):",
            "  QUEUE                    embedded or convex (convex when CONVEX_URL is set)",
            "  CONVEX_URL               Convex deployment URL",
            "  CONVEX_DEPLOY_KEY        Convex deploy key (secret)",
            "  FONDATION_WORKER_SECRET  secret presented to the queue functions (secret)",
            "  ENCRYPTION_KEY           64 hex chars; decrypts stored GitHub tokens (secret)",
            "  GITHUB_TOKEN             token for cloning private repositories (secret)",
            "  ALLOW_LOCAL_REPOSITORIES jobs may name paths on this machine (true for",
            "                           the embedded queue, false for convex)",
            "  EMBEDDED_DB_PATH         embedded queue file",
            "                           (${XDG_DATA_HOME:-~/.local/share}/fondation/queue.db)",
            "  WORKER_ID                worker name (worker-<host>-<random>)",
            "  POLL_INTERVAL            ms between polls of an empty queue ("
                    + ms(WorkerConfigLoader.DEFAULT_POLL_INTERVAL) + ")",
            "  LEASE_TIME               ms a claim or heartbeat holds a job ("
                    + ms(WorkerConfigLoader.DEFAULT_LEASE_TIME) + ")",
            "  HEARTBEAT_INTERVAL       ms between heartbeats, < LEASE_TIME/2 ("
                    + ms(WorkerConfigLoader.DEFAULT_HEARTBEAT_INTERVAL) + ")",
            "  MAX_CONCURRENT_JOBS      jobs run at once (" + WorkerConfigLoader.DEFAULT_MAX_CONCURRENT_JOBS + ")",
            "  TEMP_DIR                 job workspaces (<java.io.tmpdir>/fondation)",
            "  ANALYZER                 fondation, dry-run or command (fondation)",
            "  CLI_PATH                 Fondation CLI entry point (dist/cli.bundled.mjs)",
            "  CLI_RUNTIME              program that runs the CLI (" + WorkerConfigLoader.DEFAULT_CLI_RUNTIME + ")",
            "  CLI_PROFILE              the CLI's --profile (" + WorkerConfigLoader.DEFAULT_CLI_PROFILE + ")",
            "  ANALYZER_COMMAND         JSON array; placeholders {repo} {outputDir} {prompt}",
            "                           {jobId}",
            "  ANALYZER_TIMEOUT         ms an analysis may run (" + ms(WorkerConfigLoader.DEFAULT_ANALYZER_TIMEOUT)
                    + ")",
            "  ANALYZER_KILL_GRACE      ms from SIGTERM to SIGKILL of the analyzer ("
                    + ms(WorkerConfigLoader.DEFAULT_ANALYZER_KILL_GRACE) + ")",
            "  ANALYZER_ENV_EXTRAS      extra variables passed to the analyzer (a,b,c)",
            "  CLAUDE_HOME              HOME of the analyzer, where .claude lives",
            "  CLAUDE_CODE_OAUTH_TOKEN  Claude credentials, for the analyzer only (secret)",
            "  PROGRESS_LANGUAGE        fr or en, the progress text's language ("
                    + WorkerConfigLoader.DEFAULT_PROGRESS_LANGUAGE + ")",
            "  GIT_BASE_URL             where owner/name is cloned from",
            "                           (" + WorkerConfigLoader.DEFAULT_GIT_BASE_URL + ")",
            "  HEALTH_PORT              GET /health and /metrics (" + WorkerConfigLoader.DEFAULT_HEALTH_PORT
                    + "; 0 any, -1 off)",
            "  HEALTH_HOST              address the health server binds (" + WorkerConfigLoader.DEFAULT_HEALTH_HOST
                    + ")",
            "  SHUTDOWN_GRACE           ms a shutdown waits for running jobs ("
                    + ms(WorkerConfigLoader.DEFAULT_SHUTDOWN_GRACE) + ")",
            "  LOG_LEVEL                TRACE, DEBUG, INFO, WARN, ERROR; logs go to stderr",
            "Secrets are read from the environment only, never from flags, and never",
            "logged. Jobs get " + JobSpec.DEFAULT_MAX_ATTEMPTS + " attempts unless --max-attempts says otherwise.",
        };
    }

    private static long ms(java.time.Duration duration) {
        return duration.toMillis();
    }
}
