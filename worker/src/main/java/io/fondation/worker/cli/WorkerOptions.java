package io.fondation.worker.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The worker's settings as flags. Each overrides the environment variable named in its help;
 * values are checked by the configuration loader, whose errors name the variable. Secrets have no
 * flags: command lines are visible to every user of the machine.
 */
public final class WorkerOptions {

    @Option(names = "--worker-id", paramLabel = "ID", description = "Name this worker claims jobs under (WORKER_ID).")
    String workerId;

    @Option(
            names = "--poll-interval",
            paramLabel = "MS",
            description = "Milliseconds between polls of an empty queue (POLL_INTERVAL).")
    String pollInterval;

    @Option(
            names = "--lease-time",
            paramLabel = "MS",
            description = "Milliseconds a claim or heartbeat holds a job (LEASE_TIME).")
    String leaseTime;

    @Option(
            names = "--heartbeat-interval",
            paramLabel = "MS",
            description = "Milliseconds between heartbeats, under half the lease (HEARTBEAT_INTERVAL).")
    String heartbeatInterval;

    @Option(names = "--max-concurrent-jobs", paramLabel = "N", description = "Jobs run at once (MAX_CONCURRENT_JOBS).")
    String maxConcurrentJobs;

    @Option(names = "--temp-dir", paramLabel = "DIR", description = "Where job workspaces are created (TEMP_DIR).")
    Path tempDir;

    @Option(
            names = "--cli-path",
            paramLabel = "FILE",
            description = "The Fondation CLI entry point, dist/cli.bundled.mjs (CLI_PATH).")
    Path cliPath;

    @Option(
            names = "--analyzer",
            paramLabel = "KIND",
            description = "fondation, claude, dry-run or command (ANALYZER; default command when ANALYZER_COMMAND is"
                    + " set, else fondation when CLI_PATH is set, else claude when Claude Code is installed).")
    String analyzer;

    @Option(
            names = "--dry-run",
            description = "Use the built-in offline analyzer: no LLM, no network (ANALYZER=dry-run).")
    boolean dryRun;

    @Option(
            names = "--analyzer-command",
            paramLabel = "JSON",
            description =
                    "Run this command as the analyzer: a JSON array with {repo} {outputDir} {prompt} {jobId} placeholders "
                            + "(ANALYZER_COMMAND; implies ANALYZER=command).")
    String analyzerCommand;

    @Option(
            names = "--claude-path",
            paramLabel = "FILE",
            description = "The Claude Code binary (CLAUDE_PATH; default claude on PATH).")
    Path claudePath;

    @Option(names = "--model", paramLabel = "MODEL", description = "The model the claude analyzer uses (CLAUDE_MODEL).")
    String model;

    @Option(
            names = "--max-turns",
            paramLabel = "N",
            description = "Turns one claude run may take, 0 for no limit (CLAUDE_MAX_TURNS).")
    String maxTurns;

    @Option(
            names = "--max-budget-usd",
            paramLabel = "USD",
            description = "US dollars one claude run may cost (CLAUDE_MAX_BUDGET_USD; default no limit).")
    String maxBudgetUsd;

    @Option(
            names = "--analyzer-timeout",
            paramLabel = "MS",
            description = "Longest an analysis may run (ANALYZER_TIMEOUT).")
    String analyzerTimeout;

    @Option(
            names = "--health-port",
            paramLabel = "PORT",
            description =
                    "Health server port; 0 for any free port, -1 for none (HEALTH_PORT; dev: none unless given or serving).")
    String healthPort;

    /**
     * Puts the given flags into {@code overrides} under their variable names.
     *
     * @throws UsageException when flags contradict each other
     */
    void applyTo(Map<String, String> overrides, CliEnvironment environment) {
        put(overrides, "WORKER_ID", workerId);
        put(overrides, "POLL_INTERVAL", pollInterval);
        put(overrides, "LEASE_TIME", leaseTime);
        put(overrides, "HEARTBEAT_INTERVAL", heartbeatInterval);
        put(overrides, "MAX_CONCURRENT_JOBS", maxConcurrentJobs);
        put(overrides, "ANALYZER_TIMEOUT", analyzerTimeout);
        put(overrides, "HEALTH_PORT", healthPort);
        put(overrides, "CLAUDE_MODEL", model);
        put(overrides, "CLAUDE_MAX_TURNS", maxTurns);
        put(overrides, "CLAUDE_MAX_BUDGET_USD", maxBudgetUsd);
        if (claudePath != null) {
            overrides.put("CLAUDE_PATH", environment.resolve(claudePath).toString());
        }
        if (tempDir != null) {
            overrides.put("TEMP_DIR", environment.resolve(tempDir).toString());
        }
        if (cliPath != null) {
            overrides.put("CLI_PATH", environment.resolve(cliPath).toString());
        }
        if (dryRun) {
            if (analyzer != null && !"dry-run".equalsIgnoreCase(analyzer.trim())) {
                throw new UsageException("--dry-run contradicts --analyzer " + analyzer);
            }
            if (analyzerCommand != null) {
                throw new UsageException("--dry-run and --analyzer-command exclude each other");
            }
            overrides.put("ANALYZER", "dry-run");
        } else if (analyzer != null) {
            overrides.put("ANALYZER", analyzer);
        } else if (analyzerCommand != null) {
            overrides.put("ANALYZER", "command");
        }
        put(overrides, "ANALYZER_COMMAND", analyzerCommand);
    }

    private static void put(Map<String, String> overrides, String name, String value) {
        if (value != null) {
            overrides.put(name, value);
        }
    }
}
