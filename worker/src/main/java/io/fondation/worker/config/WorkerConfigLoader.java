package io.fondation.worker.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.claude.ClaudeCodeCommand;
import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.engine.analyzer.AnalyzerSettings;
import io.fondation.engine.analyzer.ClaudeSettings;
import io.fondation.engine.analyzer.Programs;
import io.fondation.engine.analyzer.SandboxSettings;
import io.fondation.engine.git.GitClient;
import io.fondation.http.api.AllowedHosts;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Secret;
import io.fondation.worker.logging.LogFormat;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@link WorkerConfig} from environment variables, with the names deployments of the
 * existing worker already use. Command-line flags override the environment by putting the same key in
 * {@code overrides}. Blank values count as unset.
 *
 * <p>Every invalid value is reported as a {@link ConfigurationException} whose one-line message names the
 * variable and the problem ({@code POLL_INTERVAL: 'abc' is not a whole number of milliseconds}). Secret
 * values are never part of a message.
 */
public final class WorkerConfigLoader {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    /**
     * 60 s, not the old worker's 5 min: a crashed worker's job is taken over within about a minute (the lease
     * runs out 60 s after its last heartbeat), and heartbeats every 15 s leave three chances to renew it.
     */
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(60);
    /** 15 s, not the old worker's 60 s: a quarter of the lease, and cancellations are seen within 15 s. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
    /** How often an idle worker polls while the queue pushes news of work. */
    public static final Duration DEFAULT_SAFETY_POLL_INTERVAL = Duration.ofMinutes(5);
    /** The least free space TEMP_DIR must have before a job starts (a clone and the analyzer's output). */
    public static final long DEFAULT_MIN_FREE_DISK_MB = 500;

    public static final int DEFAULT_MAX_CONCURRENT_JOBS = 1;
    public static final Duration DEFAULT_ANALYZER_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_ANALYZER_KILL_GRACE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    public static final String DEFAULT_GIT_BASE_URL = "https://github.com";
    public static final int DEFAULT_HEALTH_PORT = 8081;
    public static final String DEFAULT_HEALTH_HOST = "0.0.0.0";
    public static final String DEFAULT_CLI_RUNTIME = "node";
    public static final String DEFAULT_CLI_PROFILE = "production";
    public static final String DEFAULT_PROGRESS_LANGUAGE = "fr";
    /** The claude analyzer's model unless CLAUDE_MODEL says otherwise: pinned, so runs cost and behave the same. */
    public static final String DEFAULT_CLAUDE_MODEL = ClaudeCodeCommand.DEFAULT_MODEL;
    /**
     * The claude analyzer's turn limit unless CLAUDE_MAX_TURNS says otherwise (0 for none): a course of ten chapters
     * takes about 40 to 80 turns (a turn per file written, plus reading); the limit stops a session that loops.
     */
    public static final int DEFAULT_CLAUDE_MAX_TURNS = 400;
    /** How long one API request of the claude analyzer may take unless CLAUDE_API_TIMEOUT says otherwise. */
    public static final Duration DEFAULT_CLAUDE_API_TIMEOUT = ClaudeCodeCommand.DEFAULT_API_TIMEOUT;
    /** API retries within one claude run unless CLAUDE_MAX_RETRIES says otherwise (the worker retries the rest). */
    public static final int DEFAULT_CLAUDE_MAX_RETRIES = ClaudeCodeCommand.DEFAULT_MAX_RETRIES;

    /** The upper limit of MAX_CONCURRENT_JOBS: each job runs an LLM CLI and a JVM-side clone. */
    public static final int MAX_CONCURRENT_JOBS_LIMIT = 64;

    /** Worker-side secrets: never handed to the analyzer, whatever ANALYZER_ENV_EXTRAS says. */
    public static final Set<String> WORKER_SECRETS =
            Set.of("CONVEX_DEPLOY_KEY", "FONDATION_WORKER_SECRET", "GITHUB_TOKEN", "ENCRYPTION_KEY");

    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@\\[\\]-]{0,127}");
    private static final Pattern HEX_KEY = Pattern.compile("[0-9a-fA-F]{64}");

    /** The largest {@code MAX_RUNNING_PER_USER}: the embedded queue's and the Convex functions' bound. */
    static final int MAX_RUNNING_PER_USER_LIMIT = 100;

    private WorkerConfigLoader() {}

    /**
     * Builds the configuration.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @param overrides values that win over {@code env} (command-line flags), by the same names
     * @throws ConfigurationException naming the first invalid setting
     */
    public static WorkerConfig load(Map<String, String> env, Map<String, String> overrides) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(overrides, "overrides");
        Map<String, String> merged = new HashMap<>(env);
        merged.putAll(overrides);
        Settings settings = new Settings(merged);

        String workerId = settings.optional("WORKER_ID").orElseGet(() -> generatedWorkerId(merged));
        if (!WORKER_ID.matcher(workerId).matches()) {
            throw new ConfigurationException(
                    "WORKER_ID",
                    "'" + workerId + "' is not a valid worker id; use 1 to 128 letters, digits or . _ : @ -");
        }
        Duration pollInterval = settings.millis(
                "POLL_INTERVAL", DEFAULT_POLL_INTERVAL, 10, Duration.ofHours(1).toMillis());
        Duration leaseTime = settings.millis(
                "LEASE_TIME", DEFAULT_LEASE_TIME, 1_000, Duration.ofHours(24).toMillis());
        Duration heartbeat = settings.millis(
                "HEARTBEAT_INTERVAL",
                DEFAULT_HEARTBEAT_INTERVAL,
                50,
                Duration.ofHours(12).toMillis());
        if (heartbeat.multipliedBy(2).compareTo(leaseTime) >= 0) {
            throw new ConfigurationException(
                    "HEARTBEAT_INTERVAL",
                    heartbeat.toMillis()
                            + " ms must be less than half of LEASE_TIME (" + leaseTime.toMillis()
                            + " ms), or the lease can expire between two heartbeats");
        }
        int maxConcurrentJobs = settings.integer(
                "MAX_CONCURRENT_JOBS",
                DEFAULT_MAX_CONCURRENT_JOBS,
                1,
                MAX_CONCURRENT_JOBS_LIMIT,
                "a whole number of jobs");
        Path tempDir =
                settings.path("TEMP_DIR").orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "fondation"));

        QueueSettings queue = queueSettings(settings, merged);
        AnalyzerSettings analyzer = analyzerSettings(settings, merged, tempDir.toAbsolutePath(), queue);

        String gitBaseUrl = gitBaseUrl(settings);
        int healthPort = settings.integer(
                "HEALTH_PORT",
                DEFAULT_HEALTH_PORT,
                -1,
                65_535,
                "a port number (0 for any free port, -1 to disable the health server)");
        String healthHost = settings.optional("HEALTH_HOST").orElse(DEFAULT_HEALTH_HOST);
        if (healthHost.chars().anyMatch(Character::isWhitespace) || healthHost.contains("/")) {
            throw new ConfigurationException("HEALTH_HOST", "'" + healthHost + "' is not a host name or IP address");
        }
        List<String> allowedHosts = new ArrayList<>();
        for (String raw : settings.optional("HEALTH_ALLOWED_HOSTS").orElse("").split(",")) {
            String name = raw.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!AllowedHosts.isName(name)) {
                throw new ConfigurationException(
                        "HEALTH_ALLOWED_HOSTS",
                        "'" + name + "' is not a host name (give names such as worker.example.com, comma-separated;"
                                + " localhost and IP addresses are always answered)");
            }
            allowedHosts.add(name);
        }
        Duration shutdownGrace = settings.millis(
                "SHUTDOWN_GRACE",
                DEFAULT_SHUTDOWN_GRACE,
                0,
                Duration.ofMinutes(30).toMillis());
        Secret githubToken = settings.secret("GITHUB_TOKEN");
        boolean allowLocalRepositories =
                settings.bool("ALLOW_LOCAL_REPOSITORIES", queue.kind() == QueueSettings.Kind.EMBEDDED);
        long minFreeDiskMb = settings.integer(
                "MIN_FREE_DISK_MB", (int) DEFAULT_MIN_FREE_DISK_MB, 0, 10_000_000, "a whole number of MiB");
        Duration safetyPollInterval = settings.millis(
                "SAFETY_POLL_INTERVAL",
                DEFAULT_SAFETY_POLL_INTERVAL,
                1_000,
                Duration.ofHours(24).toMillis());
        GitClient gitClient = settings.optional("GIT_CLIENT")
                .filter(value -> !value.trim().equalsIgnoreCase("auto"))
                .map(value -> settings.choice("GIT_CLIENT", value, GitClient.values(), GitClient::configName))
                .orElse(null);
        if (gitClient == GitClient.CLI && !GitClient.cliAvailable()) {
            throw new ConfigurationException(
                    "GIT_CLIENT",
                    "'git' needs git 2.32 or newer on PATH, which this machine lacks (or use auto or jgit)");
        }
        LogLevel.parse(settings.optional("LOG_LEVEL").orElse(null));
        LogFormat.parse(settings.optional(LogFormat.VARIABLE).orElse(null));
        boolean resume = settings.bool("RESUME", true);

        return new WorkerConfig(
                workerId,
                pollInterval,
                leaseTime,
                heartbeat,
                maxConcurrentJobs,
                tempDir.toAbsolutePath(),
                queue,
                analyzer,
                gitBaseUrl,
                healthPort,
                shutdownGrace,
                healthHost,
                githubToken,
                allowLocalRepositories,
                minFreeDiskMb * 1024 * 1024,
                safetyPollInterval,
                gitClient,
                allowedHosts,
                resume,
                settings.optional("JOB_MAX_COST_USD")
                        .map(value -> dollars("JOB_MAX_COST_USD", value))
                        .orElse(null));
    }

    /** {@link #load(Map, Map)} without overrides. */
    public static WorkerConfig load(Map<String, String> env) {
        return load(env, Map.of());
    }

    private static QueueSettings queueSettings(Settings settings, Map<String, String> env) {
        URI convexUrl = settings.optional("CONVEX_URL")
                .map(value -> httpUrl("CONVEX_URL", value))
                .orElse(null);
        QueueSettings.Kind kind = settings.optional("QUEUE")
                .map(value ->
                        settings.choice("QUEUE", value, QueueSettings.Kind.values(), QueueSettings.Kind::configName))
                .orElse(convexUrl != null ? QueueSettings.Kind.CONVEX : QueueSettings.Kind.EMBEDDED);
        if (kind == QueueSettings.Kind.CONVEX && convexUrl == null) {
            throw new ConfigurationException("CONVEX_URL", "required when QUEUE=convex");
        }
        Path dbPath = settings.path("EMBEDDED_DB_PATH").orElseGet(() -> QueueSettings.defaultEmbeddedDbPath(env));
        Secret encryptionKey = settings.secret("ENCRYPTION_KEY");
        if (encryptionKey != null && !HEX_KEY.matcher(encryptionKey.reveal()).matches()) {
            throw new ConfigurationException(
                    "ENCRYPTION_KEY",
                    "must be 64 hexadecimal characters (a 256-bit key); the value given has "
                            + encryptionKey.reveal().length() + " characters or non-hex ones");
        }
        return new QueueSettings(
                kind,
                dbPath.toAbsolutePath(),
                convexUrl,
                settings.secret("CONVEX_DEPLOY_KEY"),
                settings.secret("FONDATION_WORKER_SECRET"),
                encryptionKey,
                settings.integer(
                        "MAX_RUNNING_PER_USER",
                        0,
                        0,
                        MAX_RUNNING_PER_USER_LIMIT,
                        "a whole number of jobs (0: no cap)"));
    }

    private static AnalyzerSettings analyzerSettings(
            Settings settings, Map<String, String> env, Path tempDir, QueueSettings queue) {
        Path cliPath = settings.path("CLI_PATH").map(Path::toAbsolutePath).orElse(null);
        Path claudeHome = settings.path("CLAUDE_HOME").map(Path::toAbsolutePath).orElse(null);
        ClaudeSettings claude = claudeSettings(settings, env, claudeHome);
        AnalyzerSettings.Kind kind = settings.optional("ANALYZER")
                .map(value -> settings.choice(
                        "ANALYZER", value, AnalyzerSettings.Kind.values(), AnalyzerSettings.Kind::configName))
                .orElseGet(() -> defaultAnalyzer(settings, env, cliPath, claude));
        String runtime = settings.optional("CLI_RUNTIME").orElse(DEFAULT_CLI_RUNTIME);
        if (runtime.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigurationException(
                    "CLI_RUNTIME", "'" + runtime + "' contains spaces; give one program (node, bun or a path to one)");
        }
        String profile = settings.optional("CLI_PROFILE").orElse(DEFAULT_CLI_PROFILE);
        if (!PROFILE.matcher(profile).matches()) {
            throw new ConfigurationException(
                    "CLI_PROFILE", "'" + profile + "' is not a profile name (letters, digits, . _ -)");
        }
        List<String> command = settings.optional("ANALYZER_COMMAND")
                .map(WorkerConfigLoader::commandTemplate)
                .orElse(List.of());
        if (kind == AnalyzerSettings.Kind.COMMAND && command.isEmpty()) {
            throw new ConfigurationException(
                    "ANALYZER_COMMAND",
                    "required when ANALYZER=command (a JSON array such as [\"my-analyzer\",\"{repo}\",\"{outputDir}\"])");
        }
        Duration timeout = settings.millis(
                "ANALYZER_TIMEOUT",
                DEFAULT_ANALYZER_TIMEOUT,
                1_000,
                Duration.ofHours(48).toMillis());
        Duration killGrace = settings.millis(
                "ANALYZER_KILL_GRACE",
                DEFAULT_ANALYZER_KILL_GRACE,
                0,
                Duration.ofMinutes(10).toMillis());
        List<String> extras = envExtras(settings);
        String language = settings.optional("PROGRESS_LANGUAGE")
                .map(WorkerConfigLoader::language)
                .orElse(DEFAULT_PROGRESS_LANGUAGE);
        return new AnalyzerSettings(
                kind,
                cliPath,
                runtime,
                profile,
                command,
                timeout,
                killGrace,
                extras,
                claudeHome,
                language,
                claude,
                sandboxSettings(settings, tempDir, queue));
    }

    /**
     * {@code ANALYZER_ALLOW_UNCONFINED}, {@code ANALYZER_READABLE_DIRS} and {@code ANALYZER_WRITABLE_DIRS}: lists of
     * absolute, existing directories separated by {@code :} (as {@code PATH} is). None may be, nor lie in,
     * {@code TEMP_DIR} (the other jobs' workspaces), nor be the embedded queue's directory.
     */
    private static SandboxSettings sandboxSettings(Settings settings, Path tempDir, QueueSettings queue) {
        boolean allowUnconfined = settings.bool("ANALYZER_ALLOW_UNCONFINED", false);
        Path queueDir = queue.kind() == QueueSettings.Kind.EMBEDDED
                ? queue.embeddedDbPath().toAbsolutePath().normalize().getParent()
                : null;
        List<Path> readable = directories(settings, "ANALYZER_READABLE_DIRS", tempDir.normalize(), queueDir);
        List<Path> writable = directories(settings, "ANALYZER_WRITABLE_DIRS", tempDir.normalize(), queueDir);
        return new SandboxSettings(allowUnconfined, readable, writable);
    }

    private static List<Path> directories(Settings settings, String name, Path tempDir, Path queueDir) {
        List<Path> dirs = new ArrayList<>();
        for (String raw : settings.optional(name).orElse("").split(":")) {
            String value = raw.strip();
            if (value.isEmpty()) {
                continue;
            }
            Path dir;
            try {
                dir = Path.of(value);
            } catch (InvalidPathException e) {
                throw new ConfigurationException(name, "'" + value.replace("\0", "\\0") + "' is not a valid path");
            }
            if (!dir.isAbsolute()) {
                throw new ConfigurationException(name, "'" + value + "' is not an absolute path");
            }
            dir = dir.normalize();
            if (dir.getNameCount() == 0) {
                throw new ConfigurationException(name, "the root directory cannot be given to the analyzer");
            }
            if (!java.nio.file.Files.isDirectory(dir)) {
                throw new ConfigurationException(name, dir + " is not an existing directory");
            }
            if (dir.startsWith(tempDir)) {
                throw new ConfigurationException(
                        name, dir + " is or lies in TEMP_DIR (" + tempDir + "), the other jobs' workspaces");
            }
            if (dir.equals(queueDir)) {
                throw new ConfigurationException(
                        name,
                        dir + " is the embedded queue's directory (EMBEDDED_DB_PATH), which the analyzer never sees");
            }
            dirs.add(dir);
        }
        return dirs;
    }

    /**
     * Without {@code ANALYZER}: the Fondation CLI when {@code CLI_PATH} is set, else Claude Code when it is installed
     * ({@code CLAUDE_PATH} is set, or {@code claude} is on {@code PATH}), else the Fondation CLI, whose missing
     * {@code CLI_PATH} the start-up check then names.
     */
    private static AnalyzerSettings.Kind defaultAnalyzer(
            Settings settings, Map<String, String> env, Path cliPath, ClaudeSettings claude) {
        // why: a command template says which analyzer is meant, as --analyzer-command does (its --help says so)
        if (settings.optional("ANALYZER_COMMAND").isPresent()) {
            return AnalyzerSettings.Kind.COMMAND;
        }
        if (cliPath != null) {
            return AnalyzerSettings.Kind.FONDATION;
        }
        if (settings.optional("CLAUDE_PATH").isPresent()
                || Programs.onPath(claude.executable(), env.getOrDefault("PATH", "")) != null) {
            return AnalyzerSettings.Kind.CLAUDE;
        }
        return AnalyzerSettings.Kind.FONDATION;
    }

    private static ClaudeSettings claudeSettings(Settings settings, Map<String, String> env, Path claudeHome) {
        String executable = settings.optional("CLAUDE_PATH").orElse(ClaudeSettings.DEFAULT_EXECUTABLE);
        if (executable.chars().anyMatch(Character::isWhitespace) || executable.startsWith("-")) {
            throw new ConfigurationException(
                    "CLAUDE_PATH", "'" + executable + "' is not a program (give the claude binary: a name or a path)");
        }
        String model = settings.optional("CLAUDE_MODEL").orElse(DEFAULT_CLAUDE_MODEL);
        if (!MODEL.matcher(model).matches()) {
            throw new ConfigurationException(
                    "CLAUDE_MODEL", "'" + model + "' is not a model name (letters, digits, . _ - : @ [ ])");
        }
        int maxTurns =
                settings.integer("CLAUDE_MAX_TURNS", DEFAULT_CLAUDE_MAX_TURNS, 0, 100_000, "a whole number of turns");
        BigDecimal budget = settings.optional("CLAUDE_MAX_BUDGET_USD")
                .map(WorkerConfigLoader::budget)
                .orElse(null);
        Duration apiTimeout = settings.millis(
                "CLAUDE_API_TIMEOUT",
                DEFAULT_CLAUDE_API_TIMEOUT,
                1_000,
                Duration.ofHours(1).toMillis());
        int maxRetries =
                settings.integer("CLAUDE_MAX_RETRIES", DEFAULT_CLAUDE_MAX_RETRIES, 0, 10, "a whole number of retries");
        Path configDirectory = settings.path("CLAUDE_CONFIG_DIR")
                .map(Path::toAbsolutePath)
                .orElseGet(() -> {
                    Path login = (claudeHome != null ? claudeHome : home(env)).resolve(".claude");
                    return java.nio.file.Files.isDirectory(login) ? login.toAbsolutePath() : null;
                });
        boolean allowUnconfined = settings.bool("CLAUDE_ALLOW_UNCONFINED", false);
        return new ClaudeSettings(
                executable,
                model,
                maxTurns == 0 ? null : maxTurns,
                budget,
                apiTimeout,
                maxRetries,
                configDirectory,
                allowUnconfined);
    }

    private static BigDecimal budget(String value) {
        return dollars("CLAUDE_MAX_BUDGET_USD", value);
    }

    /** An amount in US dollars, more than 0 and at most 100000, from the variable {@code name}. */
    private static BigDecimal dollars(String name, String value) {
        BigDecimal budget;
        try {
            budget = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "'" + value + "' is not an amount in US dollars (e.g. 5 or 2.50)");
        }
        if (budget.signum() <= 0 || budget.compareTo(BigDecimal.valueOf(100_000)) > 0) {
            throw new ConfigurationException(
                    name, value + " is out of range; use more than 0 and at most 100000 US dollars");
        }
        return budget.stripTrailingZeros();
    }

    private static List<String> commandTemplate(String value) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            node = null;
        }
        String example = " (e.g. [\"my-analyzer\",\"{repo}\",\"--out\",\"{outputDir}\"])";
        if (node == null || !node.isArray()) {
            throw new ConfigurationException("ANALYZER_COMMAND", "not a JSON array of strings" + example);
        }
        if (node.isEmpty()) {
            throw new ConfigurationException(
                    "ANALYZER_COMMAND", "the array is empty; it needs at least the program" + example);
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new ConfigurationException(
                        "ANALYZER_COMMAND",
                        "element " + argv.size() + " is "
                                + element.getNodeType().name().toLowerCase(Locale.ROOT) + ", not a string" + example);
            }
            argv.add(element.asText());
        }
        if (argv.get(0).isBlank()) {
            throw new ConfigurationException("ANALYZER_COMMAND", "the first element (the program) is blank");
        }
        return argv;
    }

    private static List<String> envExtras(Settings settings) {
        List<String> extras = new ArrayList<>();
        for (String raw : settings.optional("ANALYZER_ENV_EXTRAS").orElse("").split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!ENV_NAME.matcher(name).matches()) {
                throw new ConfigurationException(
                        "ANALYZER_ENV_EXTRAS", "'" + name + "' is not an environment variable name");
            }
            if (WORKER_SECRETS.contains(name)) {
                throw new ConfigurationException(
                        "ANALYZER_ENV_EXTRAS", name + " is a worker secret and is never passed to the analyzer");
            }
            extras.add(name);
        }
        return extras;
    }

    private static String language(String value) {
        try {
            return ProgressLanguage.fromConfig(value) == ProgressLanguage.ENGLISH ? "en" : "fr";
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("PROGRESS_LANGUAGE", "'" + value + "' is not supported; use fr or en");
        }
    }

    private static String gitBaseUrl(Settings settings) {
        String value = settings.optional("GIT_BASE_URL").orElse(DEFAULT_GIT_BASE_URL);
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("GIT_BASE_URL", "'" + value + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!Set.of("http", "https", "file").contains(scheme)) {
            throw new ConfigurationException("GIT_BASE_URL", "'" + value + "' is not an http(s) or file URL");
        }
        if (uri.getUserInfo() != null) {
            // Credentials belong in GITHUB_TOKEN, never in a URL that ends up in logs and job errors.
            throw new ConfigurationException("GIT_BASE_URL", "must not contain credentials; set GITHUB_TOKEN instead");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static URI httpUrl(String name, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null
                || uri.getScheme() == null
                || uri.getHost() == null
                || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw new ConfigurationException(name, "'" + value + "' is not an http(s) URL");
        }
        if (uri.getUserInfo() != null) {
            throw new ConfigurationException(name, "must not contain credentials");
        }
        return uri;
    }

    private static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    private static String generatedWorkerId(Map<String, String> env) {
        String host = env.getOrDefault("HOSTNAME", env.getOrDefault("COMPUTERNAME", ""));
        if (host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "host";
            }
        }
        String safeHost = host.replaceAll("[^A-Za-z0-9.-]", "-");
        if (safeHost.length() > 64) {
            safeHost = safeHost.substring(0, 64);
        }
        byte[] random = new byte[2];
        new SecureRandom().nextBytes(random);
        return "worker-" + safeHost + "-" + HexFormat.of().formatHex(random);
    }

    /** Typed reads of one merged map; every failure names the variable. */
    private static final class Settings {

        private final Map<String, String> values;

        Settings(Map<String, String> values) {
            this.values = values;
        }

        java.util.Optional<String> optional(String name) {
            String value = values.get(name);
            return value == null || value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(value.trim());
        }

        Duration millis(String name, Duration fallback, long min, long max) {
            java.util.Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            long parsed = parseLong(name, value.get(), "a whole number of milliseconds");
            if (parsed < min || parsed > max) {
                throw new ConfigurationException(
                        name, parsed + " ms is out of range; use " + min + " to " + max + " milliseconds");
            }
            return Duration.ofMillis(parsed);
        }

        boolean bool(String name, boolean fallback) {
            java.util.Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "1":
                    return true;
                case "false", "no", "0":
                    return false;
                default:
                    throw new ConfigurationException(name, "'" + value.get() + "' is not true or false");
            }
        }

        int integer(String name, int fallback, int min, int max, String what) {
            java.util.Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            long parsed = parseLong(name, value.get(), what);
            if (parsed < min || parsed > max) {
                throw new ConfigurationException(name, parsed + " is out of range; use " + min + " to " + max);
            }
            return (int) parsed;
        }

        private static long parseLong(String name, String value, String what) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(name, "'" + value + "' is not " + what);
            }
        }

        java.util.Optional<Path> path(String name) {
            return optional(name).map(value -> {
                String expanded =
                        value.equals("~") || value.startsWith("~/") ? home(values) + value.substring(1) : value;
                try {
                    return Path.of(expanded);
                } catch (InvalidPathException e) {
                    throw new ConfigurationException(name, "'" + value.replace("\0", "\\0") + "' is not a valid path");
                }
            });
        }

        Secret secret(String name) {
            java.util.Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return null;
            }
            if (value.get().chars().anyMatch(Character::isWhitespace)) {
                // Never echo the value: it is a secret.
                throw new ConfigurationException(name, "contains whitespace; check how the secret was pasted");
            }
            return Secret.of(value.get());
        }

        <E extends Enum<E>> E choice(
                String name, String value, E[] options, java.util.function.Function<E, String> configName) {
            for (E option : options) {
                if (configName.apply(option).equalsIgnoreCase(value.trim())) {
                    return option;
                }
            }
            List<String> names = new ArrayList<>();
            for (E option : options) {
                names.add(configName.apply(option));
            }
            throw new ConfigurationException(name, "'" + value + "' is not one of " + String.join(", ", names));
        }
    }

    /**
     * Built on first use only: most workers have no {@code ANALYZER_COMMAND}, and an {@code ObjectMapper} costs a
     * few hundred classes at start-up (docs/performance.md).
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
