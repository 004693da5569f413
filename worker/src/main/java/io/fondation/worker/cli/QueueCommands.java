package io.fondation.worker.cli;

import io.fondation.shared.JobQueue;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.QueueSettings;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import java.util.HashMap;
import java.util.Map;

/** Opening the configured queue for the commands that only read or add jobs. */
final class QueueCommands {

    private QueueCommands() {}

    /** The configuration with the queue flags applied. */
    static WorkerConfig config(CliEnvironment environment, QueueOptions options) {
        Map<String, String> overrides = new HashMap<>();
        options.applyTo(overrides, environment);
        // why: these commands read only what their --help lists; a bad ENCRYPTION_KEY (which only decrypts the
        // tokens a clone uses) or a bad POLL_INTERVAL in the shell must not stop `status`
        return WorkerConfigLoader.load(
                ConfigVariables.readBy(ConfigVariable.Command.QUEUE_CLIENT, environment.env()), overrides);
    }

    static JobQueue open(CliEnvironment environment, WorkerConfig config) {
        return WorkerRuntime.openQueue(config, environment.clock());
    }

    /** "the embedded queue at /x/queue.db" or "the Convex queue at https://..." */
    static String describe(QueueSettings queue) {
        return queue.kind() == QueueSettings.Kind.EMBEDDED
                ? "the embedded queue at " + queue.embeddedDbPath()
                : "the Convex queue at "
                        + queue.optionalConvexUrl().map(Object::toString).orElse("?");
    }
}
