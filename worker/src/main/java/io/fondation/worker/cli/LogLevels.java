package io.fondation.worker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The log level of short commands. {@link io.fondation.worker.logging.WorkerLogConfigurator} takes the level from {@code LOG_LEVEL}
 * (INFO by default), which suits the long-running {@code run}; interactive commands default to
 * WARN so their output is not buried in log lines. An explicit {@code LOG_LEVEL} always wins.
 */
final class LogLevels {

    private LogLevels() {}

    static void defaultTo(Map<String, String> env, String level) {
        String configured = env.get("LOG_LEVEL");
        if (configured != null && !configured.isBlank()) {
            return;
        }
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(level, Level.WARN));
        }
    }
}
