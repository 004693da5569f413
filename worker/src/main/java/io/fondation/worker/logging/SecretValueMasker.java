package io.fondation.worker.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/**
 * The JSON encoder's masker ({@link WorkerLogConfigurator}): every string value written to a JSON log line,
 * whatever its field (message, MDC entries, key-value pairs, the stack trace), goes through
 * {@link LogRedaction}.
 */
public final class SecretValueMasker implements ValueMasker {

    @Override
    public Object mask(JsonStreamContext context, Object value) {
        if (value instanceof CharSequence text) {
            String original = text.toString();
            String redacted = LogRedaction.process().redact(original);
            return redacted.equals(original) ? null : redacted;
        }
        return null;
    }
}
