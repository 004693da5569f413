package io.fondation.worker.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import io.fondation.shared.ConfigurationException;

/**
 * Gives {@code logback.xml} the configured {@link LogFormat} as {@code text} or {@code json}. An
 * unknown value logs text here (logging must start whatever the environment says); start-up
 * validation refuses it with {@link LogFormat#fromEnvironment}.
 */
public final class LogFormatDefiner extends PropertyDefinerBase {

    @Override
    public String getPropertyValue() {
        try {
            return LogFormat.parse(System.getenv(LogFormat.VARIABLE)).configName();
        } catch (ConfigurationException e) {
            return LogFormat.TEXT.configName();
        }
    }
}
