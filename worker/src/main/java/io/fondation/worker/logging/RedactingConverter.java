package io.fondation.worker.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * {@code %redact(...)} in a text pattern: what the enclosed pattern renders (message, MDC, stack
 * trace) goes through {@link LogRedaction}.
 */
public final class RedactingConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return LogRedaction.process().redact(in);
    }
}
