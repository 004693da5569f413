package io.fondation.worker.chaos;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real worker process: a child JVM running {@code fondation-worker run} (or another command) with its own
 * environment, its output in a file, and the operations a chaos test needs: {@code kill -9}, SIGTERM, the health
 * port it bound.
 */
final class WorkerProcess implements AutoCloseable {

    private static final Pattern HEALTH_PORT = Pattern.compile("health server listening on [^:]+:(\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code fondation-worker <args>} with exactly {@code env} (plus {@code PATH} and a UTF-8 locale).
     *
     * @param dir where its output file goes
     */
    static WorkerProcess start(Path dir, String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        // why: lets a person profile the workers of a case (-Dfondation.chaos.jvmArgs="-XX:StartFlightRecording=...")
        String extraJvmArgs = System.getProperty("fondation.chaos.jvmArgs", "").trim();
        if (!extraJvmArgs.isEmpty()) {
            command.addAll(List.of(extraJvmArgs
                    .replace("{name}", name + "-" + System.nanoTime())
                    .split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.fondation.worker.Main");
        command.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        try {
            Files.createDirectories(dir);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            builder.environment().put("LANG", "C.UTF-8");
            builder.environment().put("LOG_FORMAT", "text");
            builder.environment().putAll(env);
            return new WorkerProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the process printed so far. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the process printed a line containing {@code text}. */
    WorkerProcess awaitOutput(String text, Duration max) {
        await().atMost(max)
                .pollInterval(Duration.ofMillis(50))
                // why a check that throws: the message must hold the output up to the exit, not up to this call
                .failFast(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                "worker " + name + " exited (" + process.exitValue() + "): " + output());
                    }
                })
                .until(() -> output().contains(text));
        return this;
    }

    /** Waits until the worker polls (its start-up is over). */
    WorkerProcess awaitStarted() {
        return awaitOutput("Worker " + name + " started", Duration.ofSeconds(60));
    }

    /** The health port the worker bound (it logs it). */
    int healthPort() {
        awaitOutput("health server listening on", Duration.ofSeconds(60));
        Matcher matcher = HEALTH_PORT.matcher(output());
        if (!matcher.find()) {
            throw new IllegalStateException("no health port in the output of " + name);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** {@code kill -9}: the JVM dies at once, without its shutdown hooks. */
    void kill9() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * {@code SIGSTOP}: the JVM stands still, as in a long pause of its machine, while its analyzer and the queue go
     * on, so its lease runs out; {@link #thaw()} lets it go on.
     */
    void freeze() {
        signal("-STOP");
    }

    /** {@code SIGCONT}: a {@link #freeze() frozen} worker goes on where it stood. */
    void thaw() {
        signal("-CONT");
    }

    private void signal(String option) {
        try {
            Process kill = new ProcessBuilder(List.of("kill", option, Long.toString(process.pid())))
                    .redirectErrorStream(true)
                    .start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + option + " of worker " + name + " failed: " + said);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGTERM: the worker's graceful stop. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end and returns its exit code. */
    int awaitExit(Duration max) {
        try {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("worker " + name + " did not exit within " + max + ":\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
