package io.fondation.worker.assembly;

import io.fondation.embeddedqueue.SqliteNative;
import io.fondation.engine.analyzer.AnalyzerContainment;
import io.fondation.worker.server.HealthServer;
import java.util.Set;

/**
 * Start-up in parallel: while the main thread parses the command line, configures logging and reads the
 * configuration, a daemon thread probes the analyzer's containment (a few tiny processes, the first ones of the
 * JVM), loads the SQLite native library and the health server's classes (Undertow, XNIO, JMX): the largest pieces
 * of a start to ready that do not depend on the configuration (the containment is the same for every analyzer).
 * Class initialisation
 * is thread-safe: whichever thread comes second waits for the first and nothing runs twice. Only for the
 * commands that start a worker; measured in docs/performance.md.
 */
public final class StartupWarmup {

    private static final Set<String> WORKER_COMMANDS = Set.of("run", "dev");

    private StartupWarmup() {}

    /** Starts the warm-up when {@code args} name a command that starts a worker. */
    public static void startFor(String... args) {
        if (args.length == 0 || !WORKER_COMMANDS.contains(args[0])) {
            return;
        }
        Thread thread = new Thread(StartupWarmup::warm, "fondation-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private static void warm() {
        // in the order the main thread needs them: the queue, the analyzer's tools, the health server
        quietly(SqliteNative::preload);
        quietly(AnalyzerContainment::probeAhead);
        quietly(HealthServer::preload);
    }

    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | LinkageError e) {
            // why: best effort; the real start does it again and reports any problem where it happens
        }
    }
}
