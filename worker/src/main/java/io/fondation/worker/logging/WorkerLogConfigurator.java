package io.fondation.worker.logging;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import io.fondation.engine.runtime.LogFields;
import io.fondation.shared.ConfigurationException;
import java.util.List;
import java.util.Locale;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LoggingEventThreadNameJsonProvider;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.composite.loggingevent.ThrowableClassNameJsonProvider;
import net.logstash.logback.composite.loggingevent.mdc.LongMdcEntryWriter;
import net.logstash.logback.composite.loggingevent.mdc.RegexFilteringMdcEntryWriter;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;

/**
 * The logging of the {@code fondation-worker} command, set up in code when logback starts (found through
 * {@code META-INF/services}): everything to stderr, so stdout carries only command output (job ids, tables,
 * documents written). The root level comes from {@code LOG_LEVEL} (default INFO; the interactive commands lower it
 * to WARN unless it is set), the format from {@code LOG_FORMAT}:
 * <ul>
 *   <li>{@code text} (the default): one readable line per event,
 *       {@code 2025-01-01T12:00:00.123Z INFO  [job-1] i.f.w.runtime.JobAttempt [job j1] - cloning};
 *   <li>{@code json} (the container image's default): one JSON object per line,
 *       {@code {"time":"2025-01-01T12:00:00.123Z","level":"INFO","logger":"io.fondation...","thread":"job-1",
 *       "message":"...","workerId":"worker-a","jobId":"j1","attempt":2,"stack_trace":"..."}}, the MDC keys of
 *       {@link LogFields} as top-level fields and the attempt as a number.
 * </ul>
 * Every field of every line, in both formats, goes through {@link LogRedaction}: the worker's own secret values and
 * anything shaped like a credential are masked as {@code [REDACTED]}.
 *
 * <p>Why code and not {@code logback.xml}: parsing the XML took about 100 ms of a start to ready of about 1 s
 * (docs/performance.md). An operator's own configuration still wins: with {@code -Dlogback.configurationFile=...},
 * or a {@code logback.xml} / {@code logback-test.xml} on the class path (a service that embeds the worker's module
 * and has its own), this configurator steps aside and logback reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class WorkerLogConfigurator extends ContextAwareBase implements Configurator {

    /** The text format's line (the job id appears only when the MDC has one). */
    static final String TEXT_PATTERN = "%redact(%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24}"
            + "%replace( [job %X{jobId}]){' \\[job \\]', ''} - %msg%n%xEx)";

    /** Libraries that are chatty at INFO. */
    private static final List<String> QUIET_LIBRARIES =
            List.of("org.eclipse.jgit", "io.undertow", "org.xnio", "org.jboss");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (anOwnConfigurationExists()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // why: no logback status chatter on start-up (the XML's NopStatusListener)
        context.getStatusManager().add(new NopStatusListener());
        LogFormat format = format();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR_" + format.configName());
        appender.setTarget("System.err");
        appender.setEncoder(format == LogFormat.JSON ? jsonEncoder(context) : textEncoder(context));
        appender.start();
        for (String library : QUIET_LIBRARIES) {
            context.getLogger(library).setLevel(Level.WARN);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getenv("LOG_LEVEL")));
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Whether logback would find a configuration file someone else wrote (the worker ships none). */
    private static boolean anOwnConfigurationExists() {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return true;
        }
        ClassLoader loader = WorkerLogConfigurator.class.getClassLoader();
        return loader.getResource(ClassicConstants.TEST_AUTOCONFIG_FILE) != null
                || loader.getResource(ClassicConstants.AUTOCONFIG_FILE) != null;
    }

    /**
     * The root level {@code LOG_LEVEL} names; INFO when it is unset or unknown (logging must start whatever the
     * environment says; start-up validation refuses an unknown value).
     */
    static Level rootLevel(String value) {
        if (value == null || value.isBlank()) {
            return Level.INFO;
        }
        return Level.toLevel(value.strip().toUpperCase(Locale.ROOT), Level.INFO);
    }

    /** {@code LOG_FORMAT}; text when it is unknown (start-up validation refuses it with {@link LogFormat}). */
    private static LogFormat format() {
        try {
            return LogFormat.parse(System.getenv(LogFormat.VARIABLE));
        } catch (ConfigurationException e) {
            return LogFormat.TEXT;
        }
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("redact", RedactingConverter::new);
        layout.setPattern(TEXT_PATTERN);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        providers.addTimestamp(time);
        LogLevelJsonProvider level = new LogLevelJsonProvider();
        level.setFieldName("level");
        providers.addLogLevel(level);
        LoggerNameJsonProvider logger = new LoggerNameJsonProvider();
        logger.setFieldName("logger");
        providers.addLoggerName(logger);
        LoggingEventThreadNameJsonProvider thread = new LoggingEventThreadNameJsonProvider();
        thread.setFieldName("thread");
        providers.addThreadName(thread);
        providers.addMessage(new MessageJsonProvider());
        MdcJsonProvider mdc = new MdcJsonProvider();
        RegexFilteringMdcEntryWriter attemptAsNumber = new RegexFilteringMdcEntryWriter();
        attemptAsNumber.setIncludeMdcKeyPattern("^" + LogFields.ATTEMPT + "$");
        attemptAsNumber.addMdcEntryWriter(new LongMdcEntryWriter());
        mdc.addMdcEntryWriter(attemptAsNumber);
        providers.addMdc(mdc);
        providers.addKeyValuePairs(new KeyValuePairsJsonProvider());
        ThrowableClassNameJsonProvider exception = new ThrowableClassNameJsonProvider();
        exception.setFieldName("exception");
        exception.setUseSimpleClassName(false);
        providers.addThrowableClassName(exception);
        StackTraceJsonProvider stackTrace = new StackTraceJsonProvider();
        stackTrace.setFieldName("stack_trace");
        providers.addStackTrace(stackTrace);
        MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
        masking.addValueMasker(new SecretValueMasker());
        masking.start(); // why: builds its delegate; Joran starts every life-cycle object it creates
        LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
        encoder.setContext(context);
        encoder.setProviders(providers);
        encoder.setJsonGeneratorDecorator(masking);
        encoder.start();
        return encoder;
    }
}
