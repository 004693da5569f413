package io.fondation.worker.config;

import static io.fondation.worker.config.ConfigVariable.Command.DEV;
import static io.fondation.worker.config.ConfigVariable.Command.QUEUE_CLIENT;
import static io.fondation.worker.config.ConfigVariable.Command.RUN;
import static io.fondation.worker.config.ConfigVariable.Command.RUN_JOB;

import io.fondation.engine.analyzer.ClaudeSettings;
import io.fondation.http.HttpDefaults;
import io.fondation.worker.config.ConfigVariable.Command;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every environment variable the worker reads, with its default and meaning: the one list that {@code --help},
 * {@code docs/configuration.md}, the deployment files and {@code worker.env.example} are checked against.
 */
public final class ConfigVariables {

    private static final List<ConfigVariable> ALL = List.of(
            ConfigVariable.of(
                    "QUEUE", "convex when CONVEX_URL is set, else embedded", "embedded or convex", RUN, QUEUE_CLIENT),
            ConfigVariable.of("CONVEX_URL", "", "the Convex deployment URL", RUN, QUEUE_CLIENT),
            ConfigVariable.secret(
                    "CONVEX_DEPLOY_KEY",
                    "Convex deploy key (optional; lets compatibility mode reclaim" + " expired leases)",
                    RUN,
                    QUEUE_CLIENT),
            ConfigVariable.secret(
                    "FONDATION_WORKER_SECRET", "secret presented to the hardened queue functions", RUN, QUEUE_CLIENT),
            ConfigVariable.secret("ENCRYPTION_KEY", "64 hex chars; decrypts the users' stored GitHub tokens", RUN),
            ConfigVariable.secret("GITHUB_TOKEN", "token for cloning private repositories", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "ALLOW_LOCAL_REPOSITORIES",
                    "true for the embedded queue, false for convex and run-job",
                    "jobs may name paths on this machine",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "EMBEDDED_DB_PATH",
                    "${XDG_DATA_HOME:-~/.local/share}/fondation/queue.db",
                    "the embedded queue's SQLite file",
                    RUN,
                    DEV,
                    QUEUE_CLIENT),
            ConfigVariable.of(
                    "MAX_RUNNING_PER_USER",
                    "0 (none)",
                    "live jobs of one user the embedded queue hands out at once",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "WORKER_ID", "worker-<host>-<random>", "the name jobs are claimed under", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "POLL_INTERVAL",
                    ms(WorkerConfigLoader.DEFAULT_POLL_INTERVAL) + " (dev: 200)",
                    "ms between polls of an empty queue without push",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "SAFETY_POLL_INTERVAL",
                    ms(WorkerConfigLoader.DEFAULT_SAFETY_POLL_INTERVAL),
                    "ms between polls while the queue pushes news of work",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "LEASE_TIME",
                    ms(WorkerConfigLoader.DEFAULT_LEASE_TIME),
                    "ms a claim or heartbeat holds a job",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "HEARTBEAT_INTERVAL",
                    ms(WorkerConfigLoader.DEFAULT_HEARTBEAT_INTERVAL),
                    "ms between heartbeats, < LEASE_TIME/2",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "MAX_CONCURRENT_JOBS",
                    Integer.toString(WorkerConfigLoader.DEFAULT_MAX_CONCURRENT_JOBS),
                    "jobs run at once",
                    RUN,
                    DEV),
            ConfigVariable.of("JOB_MAX_COST_USD", "none", "US dollars a job's attempts may cost together", RUN, DEV),
            ConfigVariable.of("TEMP_DIR", "<java.io.tmpdir>/fondation", "job workspaces", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "MIN_FREE_DISK_MB",
                    Long.toString(WorkerConfigLoader.DEFAULT_MIN_FREE_DISK_MB),
                    "MiB TEMP_DIR must have free before a job starts",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER",
                    "command with ANALYZER_COMMAND, else fondation with CLI_PATH, else claude when installed",
                    "fondation, claude, dry-run or command",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLI_PATH", "", "the Fondation CLI entry point (dist/cli.bundled.mjs)", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "CLI_RUNTIME",
                    WorkerConfigLoader.DEFAULT_CLI_RUNTIME,
                    "program that runs the CLI",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLI_PROFILE", WorkerConfigLoader.DEFAULT_CLI_PROFILE, "the CLI's --profile", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_COMMAND",
                    "",
                    "JSON array; placeholders {repo} {outputDir} {prompt} {jobId}",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_TIMEOUT",
                    ms(WorkerConfigLoader.DEFAULT_ANALYZER_TIMEOUT),
                    "ms an analysis may run",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_KILL_GRACE",
                    ms(WorkerConfigLoader.DEFAULT_ANALYZER_KILL_GRACE),
                    "ms from SIGTERM to SIGKILL of the analyzer",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_ENV_EXTRAS", "", "extra variables passed to the analyzer (a,b,c)", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_ALLOW_UNCONFINED",
                    "false",
                    "run the analyzer where no sandbox works (unconfined)",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_READABLE_DIRS",
                    "",
                    "more directories the sandboxed analyzer may read (a:b)",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANALYZER_WRITABLE_DIRS",
                    "",
                    "more directories the sandboxed analyzer may write (a:b)",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of("CLAUDE_HOME", "", "where the analyzer's login .claude lives", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_PATH",
                    ClaudeSettings.DEFAULT_EXECUTABLE + " on PATH",
                    "the Claude Code binary",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_CONFIG_DIR",
                    "CLAUDE_HOME/.claude when it exists",
                    "a logged-in ~/.claude, read-only",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_MODEL",
                    WorkerConfigLoader.DEFAULT_CLAUDE_MODEL,
                    "the model the claude analyzer uses",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_MAX_TURNS",
                    WorkerConfigLoader.DEFAULT_CLAUDE_MAX_TURNS + " (0 none)",
                    "turns one claude run may take",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of("CLAUDE_MAX_BUDGET_USD", "none", "US dollars one claude run may cost", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_API_TIMEOUT",
                    ms(WorkerConfigLoader.DEFAULT_CLAUDE_API_TIMEOUT),
                    "ms one API request of claude may take",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_MAX_RETRIES",
                    Integer.toString(WorkerConfigLoader.DEFAULT_CLAUDE_MAX_RETRIES),
                    "API retries inside one claude run",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "CLAUDE_ALLOW_UNCONFINED",
                    "false",
                    "run claude without a sandbox confining writes",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.secret(
                    "CLAUDE_CODE_OAUTH_TOKEN", "Claude credentials, passed to the analyzer only", RUN, DEV, RUN_JOB),
            ConfigVariable.secret(
                    "ANTHROPIC_API_KEY", "Anthropic API key, passed to the analyzer only", RUN, DEV, RUN_JOB),
            ConfigVariable.secret(
                    "ANTHROPIC_AUTH_TOKEN",
                    "bearer token for a gateway, passed to the analyzer only",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "ANTHROPIC_BASE_URL",
                    "",
                    "the Messages API's URL (a gateway), for the analyzer",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "RESUME", "true", "a retried job runs only the analysis steps its checkpoint lacks", RUN, DEV),
            ConfigVariable.of(
                    "PROGRESS_LANGUAGE",
                    WorkerConfigLoader.DEFAULT_PROGRESS_LANGUAGE,
                    "fr or en, the progress text's language",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "GIT_BASE_URL",
                    WorkerConfigLoader.DEFAULT_GIT_BASE_URL,
                    "where owner/name is cloned from",
                    RUN,
                    DEV,
                    QUEUE_CLIENT,
                    RUN_JOB),
            ConfigVariable.of(
                    "GIT_CLIENT", "auto", "auto (git when installed, else JGit), git or jgit", RUN, DEV, RUN_JOB),
            ConfigVariable.of(
                    "HEALTH_PORT",
                    WorkerConfigLoader.DEFAULT_HEALTH_PORT + " (0 any free, -1 none)",
                    "/health, /health/live, /health/ready, /metrics (and the API with HTTP_API)",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "HEALTH_HOST",
                    WorkerConfigLoader.DEFAULT_HEALTH_HOST + " (dev: 127.0.0.1)",
                    "address the health server binds",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "HEALTH_ALLOWED_HOSTS",
                    "",
                    "host names the health server answers besides localhost and IP addresses",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of(
                    "SHUTDOWN_GRACE",
                    ms(WorkerConfigLoader.DEFAULT_SHUTDOWN_GRACE),
                    "ms a shutdown waits for running jobs",
                    RUN,
                    DEV,
                    RUN_JOB),
            ConfigVariable.of("JOB_ID", "", "run-job: the caller's id of the job, echoed in every callback", RUN_JOB),
            ConfigVariable.of("REPOSITORY_URL", "", "run-job: the repository, a URL or owner/name", RUN_JOB),
            ConfigVariable.of("BRANCH", "the repository's default", "run-job: the branch to analyse", RUN_JOB),
            ConfigVariable.of("CALLBACK_URL", "", "run-job: where progress, complete and error are posted", RUN_JOB),
            ConfigVariable.secret(
                    "CALLBACK_TOKEN", "run-job: sent as the X-Job-Token header of every callback", RUN_JOB),
            ConfigVariable.of(
                    "CALLBACK_RETRIES",
                    Integer.toString(HttpDefaults.CALLBACK_RETRIES),
                    "run-job: tries after the first for the final callback",
                    RUN_JOB),
            ConfigVariable.of(
                    "CALLBACK_RETRY_DELAY",
                    Long.toString(HttpDefaults.CALLBACK_RETRY_DELAY_MS),
                    "run-job: ms before the second try, then doubling up to 10 s",
                    RUN_JOB),
            ConfigVariable.of(
                    "CALLBACK_TIMEOUT",
                    Long.toString(HttpDefaults.CALLBACK_TIMEOUT_MS),
                    "run-job: ms one callback post may take",
                    RUN_JOB),
            ConfigVariable.of(
                    "CALLBACK_MAX_PAYLOAD_BYTES",
                    Long.toString(HttpDefaults.MAX_PAYLOAD_BYTES),
                    "run-job: largest complete callback; a larger course fails with an error callback",
                    RUN_JOB),
            ConfigVariable.of(
                    "CALLBACK_REWRITE_LOCALHOST",
                    "auto (true in a container)",
                    "run-job: post http://localhost callbacks to host.docker.internal",
                    RUN_JOB),
            ConfigVariable.of(
                    "HTTP_API",
                    "false (dev: true when serving)",
                    "serve the job API and status page on the health server's port",
                    RUN,
                    DEV),
            ConfigVariable.secret(
                    "API_TOKEN", "bearer token of every API endpoint; required beyond loopback", RUN, DEV),
            ConfigVariable.secret(
                    "API_READ_TOKEN", "bearer token that reads jobs only (dashboards); needs API_TOKEN", RUN, DEV),
            ConfigVariable.of(
                    "CALLBACK_ALLOWED_HOSTS", "", "hosts /execute callbacks may reach though internal (a,b)", RUN, DEV),
            ConfigVariable.of(
                    "API_MAX_BODY_BYTES",
                    Integer.toString(HttpDefaults.API_MAX_BODY_BYTES),
                    "largest request body the API reads (413 beyond)",
                    RUN,
                    DEV),
            ConfigVariable.of(
                    "LOG_LEVEL",
                    "INFO (WARN for short commands)",
                    "TRACE, DEBUG, INFO, WARN, ERROR or OFF",
                    RUN,
                    DEV,
                    QUEUE_CLIENT,
                    RUN_JOB),
            ConfigVariable.of(
                    "LOG_FORMAT",
                    "text (json in the container image)",
                    "text or json (one object per line, with workerId, jobId, attempt)",
                    RUN,
                    DEV,
                    QUEUE_CLIENT,
                    RUN_JOB));

    private ConfigVariables() {}

    /** Every variable, in the order the help lists them. */
    public static List<ConfigVariable> all() {
        return ALL;
    }

    /** The variables a command reads. */
    public static List<ConfigVariable> of(Command command) {
        return ALL.stream().filter(v -> v.commands().contains(command)).toList();
    }

    /** The variable with this name, if the worker reads it. */
    public static Optional<ConfigVariable> named(String name) {
        return ALL.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /**
     * {@code env} without the catalog's variables that {@code command} does not read, so that a command is not
     * stopped by a setting its help does not list (an invalid {@code CONVEX_URL} left in the shell does not stop
     * {@code dev}). Variables outside the catalog ({@code HOME}, {@code PATH}, the analyzer's) are kept.
     */
    public static Map<String, String> readBy(Command command, Map<String, String> env) {
        Map<String, String> kept = new HashMap<>(env);
        ALL.stream().filter(v -> !v.commands().contains(command)).forEach(v -> kept.remove(v.name()));
        return kept;
    }

    private static String ms(java.time.Duration duration) {
        return Long.toString(duration.toMillis());
    }
}
