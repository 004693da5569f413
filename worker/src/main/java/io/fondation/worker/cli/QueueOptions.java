package io.fondation.worker.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which queue a command talks to; each flag overrides the environment variable named in its help. */
public final class QueueOptions {

    @Option(
            names = "--queue",
            paramLabel = "KIND",
            description = "embedded or convex (QUEUE; default: convex when CONVEX_URL is set, else embedded).")
    String queue;

    @Option(
            names = "--db",
            paramLabel = "PATH",
            description =
                    "SQLite file of the embedded queue (EMBEDDED_DB_PATH; default ~/.local/share/fondation/queue.db).")
    Path db;

    @Option(
            names = "--convex-url",
            paramLabel = "URL",
            description = "Convex deployment URL (CONVEX_URL). Its keys are read from the environment only.")
    String convexUrl;

    /** Puts the given flags into {@code overrides} under their variable names. */
    void applyTo(Map<String, String> overrides, CliEnvironment environment) {
        if (queue != null) {
            overrides.put("QUEUE", queue);
        }
        if (db != null) {
            overrides.put("EMBEDDED_DB_PATH", environment.resolve(db).toString());
        }
        if (convexUrl != null) {
            overrides.put("CONVEX_URL", convexUrl);
        }
    }
}
