package io.fondation.worker.config;

import io.fondation.shared.ConfigurationException;
import java.util.List;
import java.util.Locale;

/** The values {@code LOG_LEVEL} accepts, checked like every other setting. */
public final class LogLevel {

    /** The accepted levels, most verbose first. */
    public static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogLevel() {}

    /**
     * @param value the configured level, or {@code null} for the default
     * @return the level in upper case, or {@code null} when none was given
     * @throws ConfigurationException naming {@code LOG_LEVEL} when the value is not a level
     */
    public static String parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String level = value.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new ConfigurationException(
                    "LOG_LEVEL", "'" + value.trim() + "' is not a log level; use one of " + String.join(", ", LEVELS));
        }
        return level;
    }
}
