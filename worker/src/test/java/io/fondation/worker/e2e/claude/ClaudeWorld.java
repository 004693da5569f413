package io.fondation.worker.e2e.claude;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.RecordedRequest;
import io.fondation.clibridge.testing.Reply;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.worker.e2e.WorkerFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * A worker running the real, pinned Claude Code CLI ({@code ANALYZER=claude}) against a scripted Messages API on
 * loopback, with an obviously fake API key, the worker's log captured, and a scenario the test can change while the
 * worker runs ("the operator fixed the API").
 */
final class ClaudeWorld implements AutoCloseable {

    /**
     * The fake credential. Not shaped like an Anthropic key on purpose: nothing recognises it by its form, so if it
     * does not show up anywhere, it is because the worker never lets it out.
     */
    static final String FAKE_KEY = "fondation-fake-credential-" + HexFormat.of().formatHex(random());

    final Path root;
    final ScriptedMessagesApi api;
    private final AtomicReference<Scenario> scenario;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<WorkerFixture> workers = new ArrayList<>();
    private final Level levelBefore = rootLogger.getLevel();

    ClaudeWorld(Path root, Scenario first) {
        this.root = root;
        this.scenario = new AtomicReference<>(first);
        this.api = ScriptedMessagesApi.start((request, number) -> scenario.get().reply(request, number));
        log.start();
        // why: the short commands tested in this JVM before (dev, status, submit ...) leave the root at WARN,
        // and the checks on the worker's log need its INFO lines; which ran before depends on the test order
        rootLogger.setLevel(Level.INFO);
        rootLogger.addAppender(log);
    }

    /** From now on the API answers as {@code next} says. */
    void serve(Scenario next) {
        scenario.set(next);
    }

    /** A worker on the embedded queue in {@code root} (several in a row share its file), talking to the API. */
    WorkerFixture worker(Map<String, String> overrides) {
        return worker(api.baseUrl(), overrides);
    }

    /** A worker whose analyzer talks to {@code baseUrl}. */
    WorkerFixture worker(String baseUrl, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(settings());
        settings.putAll(overrides);
        WorkerFixture fixture = new WorkerFixture(root, settings, analyzerEnvironment(baseUrl));
        workers.add(fixture);
        return fixture;
    }

    /** The worker's settings for the claude analyzer, with limits short enough for tests. */
    static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("ANALYZER", "claude");
        settings.put("ANALYZER_COMMAND", "");
        settings.put("CLAUDE_PATH", ClaudeCodeInstallation.executable().toString());
        settings.put("CLAUDE_MAX_RETRIES", "0");
        settings.put("CLAUDE_API_TIMEOUT", "20000");
        settings.put("CLAUDE_MAX_TURNS", "30");
        settings.put("ANALYZER_TIMEOUT", "120000");
        return settings;
    }

    /** The environment the worker runs in: this JVM's, without any real credential, plus the API and the fake key. */
    static Map<String, String> analyzerEnvironment(String baseUrl) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("ANTHROPIC_") || name.startsWith("CLAUDE_"));
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", FAKE_KEY);
        // A worker secret in the same environment, which must not reach the analyzer either.
        env.put(
                "FONDATION_WORKER_SECRET",
                "fondation-fake-worker-secret-" + HexFormat.of().formatHex(random()));
        return env;
    }

    /** Every line the worker logged so far, formatted, with stack traces. */
    List<String> logLines() {
        return log.list.stream()
                .map(event -> event.getFormattedMessage()
                        + (event.getThrowableProxy() == null
                                ? ""
                                : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
                .toList();
    }

    /** The bytes of every file under {@code root} (the queue's database included), as text, with their paths. */
    Map<Path, String> filesUnderRoot() {
        Map<Path, String> files = new HashMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                files.put(file, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The argument lists of every process this JVM started, directly or not, that lives now. */
    static List<String> liveCommandLines() {
        List<String> lines = new ArrayList<>();
        ProcessHandle.current().descendants().forEach(process -> {
            try {
                lines.add(new String(
                                Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                                StandardCharsets.UTF_8)
                        .replace('\0', ' '));
            } catch (IOException e) {
                // gone meanwhile
            }
        });
        return lines;
    }

    /** A reply for any request that names the worker's output directory: {@code reply} otherwise. */
    static Scenario always(Reply reply) {
        return (RecordedRequest request, int number) -> reply;
    }

    @Override
    public void close() {
        workers.forEach(WorkerFixture::close);
        api.close();
        rootLogger.detachAppender(log);
        rootLogger.setLevel(levelBefore);
        log.stop();
    }

    private static byte[] random() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
