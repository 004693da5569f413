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

    /** The environment an in-JVM worker hands its analyzer: this process's, plus the fixture's variable. */
    public static Map<String, String> environment(FondationCliFixture cli) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(cli.environment());
        return environment;
    }
}
