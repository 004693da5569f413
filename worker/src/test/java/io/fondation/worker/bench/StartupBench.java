package io.fondation.worker.bench;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar fondation-worker.jar run --dry-run} on the embedded queue, from process start to
 * {@code /health/ready} answering 200, with several JVM options, and the distribution's launcher
 * ({@code bin/fondation-worker run --dry-run}, the README's command) beside the bare {@code java -jar}; each variant
 * several times, interleaved, with the process's CPU time at that moment (less sensitive to other load than the wall
 * clock).
 */
final class StartupBench {

    /** One variant's figures; {@code command} is what runs before {@code run --dry-run}. */
    record Variant(String name, List<String> command, Stats wallMillis, Stats cpuMillis) {}

    /** The name of the launcher's variant: the documented command, the report's figure. */
    static final String LAUNCHER = "launcher bin/fondation-worker (the documented command)";

    private static final Duration READY_LIMIT = Duration.ofSeconds(60);

    private final Path scratch;

    StartupBench(Path scratch) {
        this.scratch = scratch;
    }

    List<Variant> run(int runs) throws IOException, InterruptedException {
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("java -jar, no archive (-Xshare:auto, JDK's default CDS only)", javaJar(List.of()));
        variants.put(
                "java -jar, quick JIT tier only (" + BenchEnv.QUICK_JIT + ")", javaJar(List.of(BenchEnv.QUICK_JIT)));
        BenchEnv.archive().ifPresent(jsa -> {
            variants.put("java -jar, AppCDS archive", javaJar(List.of("-XX:SharedArchiveFile=" + jsa)));
            variants.put("java -jar, AppCDS archive + quick JIT tier", javaJar(BenchEnv.documentedOptions()));
        });
        // why last: the report's start-up figure is the last variant's, and the launcher is what users run
        variants.put(LAUNCHER, List.of(BenchEnv.launcher().toString()));
        Map<String, List<Long>> wall = new HashMap<>();
        Map<String, List<Long>> cpu = new HashMap<>();
        for (int run = 0; run < runs; run++) {
            for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                long[] figures = once(variant.getValue(), run);
                wall.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(figures[0]);
                cpu.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(figures[1]);
            }
        }
        List<Variant> result = new ArrayList<>();
        for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
            result.add(new Variant(
                    variant.getKey(),
                    variant.getValue(),
                    Stats.of(wall.get(variant.getKey())),
                    Stats.of(cpu.get(variant.getKey()))));
            System.out.printf(
                    "BENCHMARK start-up %s: wall %s ms, cpu %s ms%n",
                    variant.getKey(), wall.get(variant.getKey()), cpu.get(variant.getKey()));
        }
        return result;
    }

    private static List<String> javaJar(List<String> options) {
        List<String> command = new ArrayList<>(List.of(BenchEnv.java()));
        command.addAll(options);
        command.addAll(List.of("-jar", BenchEnv.jar().toString()));
        return command;
    }

    /** Wall and CPU milliseconds from start to ready. */
    private long[] once(List<String> prefix, int run) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("start-" + run + "-" + System.nanoTime()));
        int port = BenchEnv.freePort();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("run", "--dry-run"));
        Map<String, String> env = Map.of(
                // why: the launcher runs $JAVA_HOME/bin/java; the same JDK as the java -jar variants
                "JAVA_HOME",
                System.getProperty("java.home"),
                "QUEUE",
                "embedded",
                "EMBEDDED_DB_PATH",
                dir.resolve("queue.db").toString(),
                "TEMP_DIR",
                dir.resolve("tmp").toString(),
                "HEALTH_PORT",
                Integer.toString(port),
                "HEALTH_HOST",
                "127.0.0.1",
                "WORKER_ID",
                "bench-start-" + run);
        long started = System.nanoTime();
        Process process = BenchEnv.start(command, env, dir.resolve("worker.log"));
        try {
            URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
            long deadline = started + READY_LIMIT.toNanos();
            while (!answers200(ready)) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException(
                            "the worker did not become ready: " + Files.readString(dir.resolve("worker.log")));
                }
                // why: a bounded poll of a child process's port; 2 ms is below the figure's resolution
                TimeUnit.MILLISECONDS.sleep(2);
            }
            long wall = (System.nanoTime() - started) / 1_000_000;
            return new long[] {wall, BenchEnv.cpuMillis(process.pid())};
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static boolean answers200(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(200);
            connection.setReadTimeout(1000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }
}
