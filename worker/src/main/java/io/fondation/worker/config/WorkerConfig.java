package io.fondation.worker.config;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.git.GitClient;
import io.fondation.engine.runtime.WorkerSettings;
import io.fondation.shared.Secret;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of a worker, validated. Built by {@link WorkerConfigLoader} from environment variables;
 * each component's Javadoc names its variable. Secrets are {@link Secret}s, so {@link #toString()} never
 * shows them.
 *
 * @param workerId {@code WORKER_ID}: the name this worker claims jobs under
 * @param pollInterval {@code POLL_INTERVAL} (ms): the wait between polls of an empty queue
 * @param leaseTime {@code LEASE_TIME} (ms): how long a claim or heartbeat holds a job
 * @param heartbeatInterval {@code HEARTBEAT_INTERVAL} (ms): the period of heartbeats, less than half the lease
 * @param maxConcurrentJobs {@code MAX_CONCURRENT_JOBS}: jobs run at once
 * @param tempDir {@code TEMP_DIR}: where per-job workspaces are created
 * @param queue {@code QUEUE}, {@code EMBEDDED_DB_PATH}, {@code CONVEX_URL} ...
 * @param analyzer {@code ANALYZER}, {@code CLI_PATH}, {@code ANALYZER_COMMAND} ...
 * @param gitBaseUrl {@code GIT_BASE_URL}: the base that {@code owner/name} repositories are cloned from
 * @param healthPort {@code HEALTH_PORT}: the health server's port; 0 for any free port, -1 for none
 * @param shutdownGrace {@code SHUTDOWN_GRACE} (ms): the longest a shutdown waits for jobs to wind down
 * @param healthHost {@code HEALTH_HOST}: the address the health server binds (default all interfaces)
 * @param githubToken {@code GITHUB_TOKEN}: the token used to clone private repositories over HTTPS, or {@code null}
 * @param allowLocalRepositories {@code ALLOW_LOCAL_REPOSITORIES}: whether a job may name a path or {@code file:}
 *     URL on the worker's machine (default: yes for the embedded queue, no for Convex, whose jobs come from others)
 * @param minFreeDiskBytes {@code MIN_FREE_DISK_MB}: the least free space {@code TEMP_DIR} must have before a job
 *     starts; below it the job is released and the worker waits (a worker fault)
 * @param safetyPollInterval {@code SAFETY_POLL_INTERVAL} (ms): how often an idle worker polls while the queue pushes
 *     news of work
 * @param gitClient {@code GIT_CLIENT}: the program that clones ({@code git} or {@code jgit}), or {@code null} for
 *     {@code auto}: the git command when a usable one is installed, else JGit
 * @param healthAllowedHosts {@code HEALTH_ALLOWED_HOSTS}: the names the health and API server answers to besides
 *     {@code localhost} and IP addresses (a request for any other {@code Host} gets 403: no DNS rebinding)
 * @param resume {@code RESUME}: whether a retried job resumes from its checkpoint (runs only the analysis steps it
 *     has not finished) and attempts save one; default true
 * @param jobMaxCostUsd {@code JOB_MAX_COST_USD}: the cap on the sum of a job's attempts' costs for jobs without their
 *     own, or {@code null} for none
 */
public record WorkerConfig(
        String workerId,
        Duration pollInterval,
        Duration leaseTime,
        Duration heartbeatInterval,
        int maxConcurrentJobs,
        Path tempDir,
        QueueSettings queue,
        AnalyzerSettings analyzer,
        String gitBaseUrl,
        int healthPort,
        Duration shutdownGrace,
        String healthHost,
        Secret githubToken,
        boolean allowLocalRepositories,
        long minFreeDiskBytes,
        Duration safetyPollInterval,
        GitClient gitClient,
        List<String> healthAllowedHosts,
        boolean resume,
        BigDecimal jobMaxCostUsd) {

    public WorkerConfig {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(leaseTime, "leaseTime");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(tempDir, "tempDir");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(analyzer, "analyzer");
        Objects.requireNonNull(gitBaseUrl, "gitBaseUrl");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(healthHost, "healthHost");
        Objects.requireNonNull(safetyPollInterval, "safetyPollInterval");
        healthAllowedHosts = List.copyOf(healthAllowedHosts);
        if (minFreeDiskBytes < 0) {
            throw new IllegalArgumentException("minFreeDiskBytes must not be negative");
        }
        if (maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1");
        }
        if (heartbeatInterval.multipliedBy(2).compareTo(leaseTime) >= 0) {
            throw new IllegalArgumentException("the heartbeat interval must be less than half the lease time");
        }
    }

    public Optional<Secret> optionalGithubToken() {
        return Optional.ofNullable(githubToken);
    }

    /** The engine's settings of the worker these settings describe. */
    public WorkerSettings workerSettings() {
        return new WorkerSettings(
                workerId,
                pollInterval,
                safetyPollInterval,
                leaseTime,
                heartbeatInterval,
                maxConcurrentJobs,
                shutdownGrace,
                analyzer.killGrace(),
                ProgressLanguage.fromConfig(analyzer.progressLanguage()),
                resume,
                jobMaxCostUsd);
    }

    /** Whether the health server is enabled ({@code HEALTH_PORT} is not -1). */
    public boolean healthEnabled() {
        return healthPort >= 0;
    }
}
