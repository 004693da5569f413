package io.fondation.convexqueue.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Convex queue functions, run by {@code convex-test} in a Node process behind the Convex
 * HTTP protocol ({@code convex-queue/test-server/server.ts}), for tests over real HTTP.
 *
 * <p>As a JUnit 5 extension (one server per test class, a fresh database before each test):
 * <pre>{@code
 * @RegisterExtension
 * static final LocalConvexServer CONVEX = LocalConvexServer.hardened();
 * }</pre>
 * or started by hand with {@link #start()} and stopped with {@link #close()}.
 *
 * <p>Node.js 20+ must be on the PATH (or named by the system property {@code fondation.node});
 * without it the test fails with a message saying so. {@code npm ci} runs first when
 * {@code convex-queue/node_modules} is missing. The server exits when this JVM dies (it watches
 * its stdin).
 */
public final class LocalConvexServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AutoCloseable {

    /** The worker secret the server's functions expect (obviously fake). */
    public static final String WORKER_SECRET = "test-secret";
    /** The admin key the server accepts. */
    public static final String ADMIN_KEY = "test-admin-key";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern LISTENING = Pattern.compile("\\{\\s*\"listening\"\\s*:\\s*(\\d+)\\s*}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object NPM_LOCK = new Object();
    private static final int STDERR_LINES_KEPT = 60;

    /** Which function set the server runs. */
    public enum Functions {
        /** {@code convex-queue/convex}: the hardened queue. */
        HARDENED("hardened"),
        /** {@code convex-queue/src/test/legacy-convex}: behaves like the existing deployment. */
        LEGACY("legacy");

        private final String flag;

        Functions(String flag) {
            this.flag = flag;
        }
    }

    private final Functions functions;
    private final boolean frozenClock;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private Process process;
    private OutputStream stdin;
    private String url;
    /** The port to listen on: 0 for any; the previous one on {@link #restart()}. */
    private int port;

    private LocalConvexServer(Functions functions, boolean frozenClock) {
        this.functions = functions;
        this.frozenClock = frozenClock;
    }

    /** A server (not started yet) running the hardened functions. */
    public static LocalConvexServer hardened() {
        return new LocalConvexServer(Functions.HARDENED, false);
    }

    /** A server (not started yet) running the legacy fixture. */
    public static LocalConvexServer legacy() {
        return new LocalConvexServer(Functions.LEGACY, false);
    }

    /**
     * The same server with a clock that stands still: {@code Date.now()} in the functions changes only
     * through {@link #setClock} and {@link #advanceClock}, so server timestamps can equal a test's
     * {@code MutableClock} exactly. Without it the functions' clock follows the wall clock.
     */
    public LocalConvexServer frozenClock() {
        return new LocalConvexServer(functions, true);
    }

    // ---------------------------------------------------------------- JUnit 5

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the server unless it runs already, waiting (bounded) for its port.
     *
     * @return this
     * @throws IllegalStateException when Node is missing or the server does not come up, with its output
     */
    public synchronized LocalConvexServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path projectDir = convexQueueDir();
        String node = nodeBinary();
        ensureNodeModules(projectDir, node);
        List<String> command = List.of(
                node,
                "node_modules/tsx/dist/cli.mjs",
                "test-server/server.ts",
                "--functions",
                functions.flag,
                "--port",
                Integer.toString(port));
        ProcessBuilder builder = new ProcessBuilder(command).directory(projectDir.toFile());
        builder.environment().put("FONDATION_WORKER_SECRET", WORKER_SECRET);
        builder.environment().put("CONVEX_TEST_ADMIN_KEY", ADMIN_KEY);
        if (frozenClock) {
            // Loaded before the server, so the server's clock offset applies on top of a clock that stands still.
            String options = builder.environment().getOrDefault("NODE_OPTIONS", "");
            builder.environment()
                    .put(
                            "NODE_OPTIONS",
                            (options + " --import=" + frozenClockModule().toUri()).strip());
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start the Convex test server with " + command + ": " + e.getMessage(), e);
        }
        // Closing stdin is the server's signal to exit, so keep it open while we run.
        stdin = process.getOutputStream();
        // why the process as an argument: close() clears the field, possibly while a reader still reads
        Process started = process;
        Thread stderrReader = new Thread(() -> drainStderr(started), "convex-test-server-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread stdoutReader = new Thread(() -> readPort(started, port), "convex-test-server-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        try {
            int listening = port.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            url = "http://127.0.0.1:" + listening;
        } catch (TimeoutException | ExecutionException e) {
            String tail = stderrTail();
            close();
            throw new IllegalStateException("the Convex test server (" + functions.flag
                    + ") did not report its port within "
                    + START_TIMEOUT.toSeconds() + " s"
                    + (e instanceof ExecutionException ? ": " + e.getCause().getMessage() : "")
                    + "\n--- its stderr ---\n" + tail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the Convex test server", e);
        }
        return this;
    }

    private static void readPort(Process process, CompletableFuture<Integer> port) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher matcher = LISTENING.matcher(line);
                if (!port.isDone() && matcher.find()) {
                    port.complete(Integer.parseInt(matcher.group(1)));
                }
            }
            port.completeExceptionally(new IllegalStateException(
                    "the server exited" + (process.isAlive() ? "" : " with code " + process.waitFor())));
        } catch (IOException e) {
            port.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            port.completeExceptionally(e);
        }
    }

    private void drainStderr(Process process) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (stderrTail) {
                    if (stderrTail.size() >= STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // The process ended; nothing more to read.
        }
    }

    /** The last lines the server wrote to stderr (for failure messages). */
    public String stderrTail() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    /** Stops the server (closing its stdin, then terminating it). */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed: the process is going away anyway.
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
        url = null;
    }

    /**
     * Stops the server and starts a new one on the same port (an empty database behind the same URL), as a
     * deployment restart looks to a client.
     */
    public synchronized LocalConvexServer restart() {
        int previous = URI.create(url()).getPort();
        close();
        port = previous;
        try {
            return start();
        } finally {
            port = 0;
        }
    }

    /** Whether the server process runs. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    // ---------------------------------------------------------------- access

    /** The deployment URL, e.g. {@code http://127.0.0.1:41234}. */
    public synchronized String url() {
        if (url == null) {
            throw new IllegalStateException("the Convex test server is not running; call start() first");
        }
        return url;
    }

    /** The function set this server runs. */
    public Functions functions() {
        return functions;
    }

    /** Empties the database and lets the functions' clock follow the wall clock again. */
    public void reset() {
        post("/_test/reset", Map.of());
    }

    /**
     * Sets the functions' clock ({@code Date.now()}) to {@code instant}, so that server times equal a
     * test's {@code MutableClock} exactly: with {@code POST /_test/clock {"setMs"}} when the server
     * supports it, else (on a {@link #frozenClock()} server) by advancing its offset by the difference.
     *
     * @throws IllegalStateException when the server's clock cannot be set exactly
     */
    public void setClock(Instant instant) {
        long target = instant.toEpochMilli();
        JsonNode answer = post("/_test/clock", Map.of("setMs", target));
        long now = nowOf(answer);
        if (now != target && frozenClock) {
            answer = post("/_test/clock", Map.of("advanceMs", target - now));
            now = nowOf(answer);
        }
        if (now != target) {
            throw new IllegalStateException("the Convex test server did not set its clock to " + instant + " (answer "
                    + answer + "); use LocalConvexServer...frozenClock()");
        }
    }

    private static long nowOf(JsonNode clockAnswer) {
        JsonNode now = clockAnswer.has("nowMs") ? clockAnswer.get("nowMs") : clockAnswer.get("now");
        return now == null ? Long.MIN_VALUE : now.asLong();
    }

    /** A Node module, loaded first, that stops {@code Date.now()} at the time the server starts. */
    private static synchronized Path frozenClockModule() {
        try {
            Path module = Files.createTempFile("fondation-frozen-clock", ".mjs");
            module.toFile().deleteOnExit();
            Files.writeString(
                    module,
                    "// Written by LocalConvexServer: Date.now() stands still; the test server's\n"
                            + "// clock offset (POST /_test/clock) is applied on top of it.\n"
                            + "const frozen = Date.now();\n"
                            + "Date.now = () => frozen;\n",
                    StandardCharsets.UTF_8);
            return module;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the frozen-clock module: " + e.getMessage(), e);
        }
    }

    /**
     * Sets a deployment environment variable the functions read per call, as {@code npx convex env set} would (only
     * {@code FONDATION_MAX_RUNNING_PER_USER}); {@code null} unsets it. {@link #reset()} restores it.
     */
    public void setEnvironment(String name, String value) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("name", name);
        body.put("value", value);
        post("/_test/env", body);
    }

    /** Moves the functions' clock by {@code by} (may be negative). */
    public void advanceClock(Duration by) {
        post("/_test/clock", Map.of("advanceMs", by.toMillis()));
    }

    /**
     * Inserts a row directly (e.g. users and repositories the web app would have made).
     *
     * @param doc plain JSON values (strings, numbers, booleans, nested objects)
     * @return the new row's id
     */
    public String seed(String table, Map<String, ?> doc) {
        return post("/_test/seed", Map.of("table", table, "doc", doc))
                .path("id")
                .asText();
    }

    // ---------------------------------------------------------------- sync protocol hooks

    /** Drops every sync socket abruptly (no close frame), as a broken network would. */
    public int dropSyncSockets() {
        return post("/_test/sync/drop", Map.of()).path("dropped").asInt();
    }

    /** The sync sockets open now stop answering and pinging; new ones behave. */
    public int silenceSyncSockets() {
        return post("/_test/sync/silence", Map.of()).path("silenced").asInt();
    }

    /** Sends {@code frame} as it is (malformed or not) on every open sync socket. */
    public int injectSyncFrame(String frame) {
        return post("/_test/sync/inject", Map.of("frame", frame)).path("sent").asInt();
    }

    /** How long a sync socket may be silent before the server pings it (default 15 s). */
    public void syncPingInterval(Duration interval) {
        post("/_test/sync/config", Map.of("pingIntervalMs", interval.toMillis()));
    }

    /**
     * Function calls by origin ({@code http}, {@code sync}, {@code test}) and kind, and the sync endpoint's
     * statistics ({@code sync.open}, {@code sync.connectionsAccepted}, {@code sync.queryRuns}, ...).
     *
     * @param reset start counting again after answering
     */
    public JsonNode calls(boolean reset) {
        return post("/_test/calls", Map.of("reset", reset));
    }

    /** Runs an internal function, e.g. {@code queue:reclaimExpired}, and returns its JSON answer. */
    public JsonNode runInternal(String path) {
        return post("/_test/run-internal", Map.of("path", path));
    }

    private JsonNode post(String path, Map<String, ?> body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path))
                    .timeout(Duration.ofSeconds(30))
                    .version(HttpClient.Version.HTTP_1_1)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("POST " + path + " answered HTTP " + response.statusCode() + ": "
                        + response.body() + "\n--- server stderr ---\n" + stderrTail());
            }
            String text = response.body();
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "POST " + path + " to the Convex test server failed: " + e.getMessage()
                            + "\n--- server stderr ---\n" + stderrTail(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- environment

    /**
     * The convex-queue module directory: the system property {@code fondation.convexQueueDir}, else
     * the working directory or its {@code convex-queue} sibling/child holding {@code test-server/server.ts}.
     */
    public static Path convexQueueDir() {
        String configured = System.getProperty("fondation.convexQueueDir");
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        }
        Path here = Paths.get("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            candidates.add(dir);
            candidates.add(dir.resolve("convex-queue"));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("test-server").resolve("server.ts"))
                    && Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("cannot find convex-queue/test-server/server.ts from " + here
                + "; set -Dfondation.convexQueueDir=<path to convex-queue>");
    }

    /**
     * The Node binary, checked to run.
     *
     * @throws IllegalStateException saying Node.js is required when it is missing
     */
    static String nodeBinary() {
        String node = System.getProperty("fondation.node", "node");
        try {
            Process probe = new ProcessBuilder(node, "--version")
                    .redirectErrorStream(true)
                    .start();
            String version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw new IllegalStateException("'" + node + " --version' failed: " + version);
            }
            Matcher major = Pattern.compile("v(\\d+)\\.").matcher(version);
            if (major.find() && Integer.parseInt(major.group(1)) < 20) {
                throw new IllegalStateException(
                        "Node.js 20 or later is required to run the Convex test server; found " + version);
            }
            return node;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Node.js 20+ is required to run the Convex test server (tests of the Convex"
                            + " queue run the real functions under convex-test), but '" + node + "' cannot be run: "
                            + e.getMessage() + ". Install Node.js 20+ or set -Dfondation.node=<path to node>.",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking for Node.js", e);
        }
    }

    private static void ensureNodeModules(Path projectDir, String node) {
        synchronized (NPM_LOCK) {
            if (Files.isRegularFile(projectDir.resolve("node_modules/tsx/dist/cli.mjs"))
                    && Files.isDirectory(projectDir.resolve("node_modules/convex-test"))) {
                return;
            }
            Path npm = Paths.get(node).getParent() == null
                    ? Paths.get("npm")
                    : Paths.get(node).resolveSibling("npm");
            List<String> command = List.of(npm.toString(), "ci", "--no-audit", "--no-fund");
            try {
                Path log = Files.createTempFile("fondation-npm-ci", ".log");
                Process install = new ProcessBuilder(command)
                        .directory(projectDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                if (!install.waitFor(NPM_CI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    install.destroyForcibly();
                    throw new IllegalStateException("npm ci in " + projectDir + " did not finish within "
                            + NPM_CI_TIMEOUT.toMinutes() + " minutes (log: " + log + ")");
                }
                if (install.exitValue() != 0) {
                    throw new IllegalStateException("npm ci in " + projectDir + " failed with exit code "
                            + install.exitValue() + ":\n" + Files.readString(log));
                }
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot run " + command + " in " + projectDir + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during npm ci", e);
            }
        }
    }
}
