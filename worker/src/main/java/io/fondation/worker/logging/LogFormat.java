package io.fondation.worker.logging;

import io.fondation.shared.ConfigurationException;
import java.util.Locale;
import java.util.Map;

/**
 * {@code LOG_FORMAT}: {@code text} (the default: one readable line per event) or {@code json} (one
 * JSON object per line, for a log pipeline; the container image sets it). {@link WorkerLogConfigurator} picks
 * the encoder; start-up validation calls {@link #fromEnvironment}
 * so that an unknown value stops the worker with one line instead of silently logging text.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** The environment variable. */
    public static final String VARIABLE = "LOG_FORMAT";

    /** The name used in {@code LOG_FORMAT} and in the appender's name. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The format {@code LOG_FORMAT} asks for; unset or blank means {@link #TEXT}.
     *
     * @throws ConfigurationException naming {@code LOG_FORMAT} for any other value
     */
    public static LogFormat fromEnvironment(Map<String, String> environment) {
        return parse(environment.get(VARIABLE));
    }

    /**
     * Parses a {@code LOG_FORMAT} value, ignoring case and surrounding blanks.
     *
     * @throws ConfigurationException naming {@code LOG_FORMAT} when it is neither text nor json
     */
    public static LogFormat parse(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        for (LogFormat format : values()) {
            if (format.configName().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new ConfigurationException(VARIABLE, "'" + value.strip() + "' is neither text nor json");
    }
}
