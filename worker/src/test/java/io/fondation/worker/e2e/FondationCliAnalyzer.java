package io.fondation.worker.e2e;

import io.fondation.clibridge.testing.FondationCliFixture;
import java.util.HashMap;
import java.util.Map;

/** The worker's settings that run the Fondation-CLI fixture as its analyzer (the resume tests and benchmark). */
public final class FondationCliAnalyzer {

    private FondationCliAnalyzer() {}

    /**
     * ANALYZER=fondation on the fixture's bundle, with the fixture's log directory passed into the sandbox and
     * writable there (the fixture logs each step and request to it).
     */
    public static Map<String, String> settings(FondationCliFixture cli) {
        return Map.of(
                "ANALYZER",
                "fondation",
                "ANALYZER_COMMAND",
                "",
                "CLI_PATH",
                cli.cli().toString(),
                "ANALYZER_ENV_EXTRAS",
                FondationCliFixture.DIR_VARIABLE,
                "ANALYZER_WRITABLE_DIRS",
                cli.logDir().toString());
    }

    /** {@link #settings} plus the fixture's variable: the environment of a worker process that runs the fixture. */
    public static Map<String, String> forProcess(FondationCliFixture cli) {
        Map<String, String> env = new HashMap<>(settings(cli));
        env.putAll(cli.environment());
        return env;
    }

    /**
     * The settings of an in-JVM worker on the hardened Convex functions at {@code convexUrl} (the local test server,
     * whose worker secret is {@code workerSecret}), local repositories allowed as the web app's are not.
     */
    public static Map<String, String> onConvex(String convexUrl, String workerSecret) {
        return Map.of(
                "QUEUE",
                "convex",
                "CONVEX_URL",
                convexUrl,
                "FONDATION_WORKER_SECRET",
                workerSecret,
                "ALLOW_LOCAL_REPOSITORIES",
                "true");
    }

    /** The environment an in-JVM worker hands its analyzer: this process's, plus the fixture's variable. */
    public static Map<String, String> environment(FondationCliFixture cli) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(cli.environment());
        return environment;
    }
}
