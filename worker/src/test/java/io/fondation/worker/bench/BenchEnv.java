package io.fondation.worker.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Where the benchmarks find the built jar and write their report, and small process helpers. */
final class BenchEnv {

    private BenchEnv() {}

    /** The shaded jar the package phase built ({@code fondation.worker.jar}). */
    static Path jar() {
        return Path.of(System.getProperty("fondation.worker.jar", "target/fondation-worker.jar"))
                .toAbsolutePath();
    }

    /**
     * The distribution's launcher the package phase lays out beside the jar ({@code fondation-worker/bin/}); its own
     * {@code lib/} holds the jar and the archive trained at that path.
     */
    static Path launcher() {
        Path launcher = jar().resolveSibling("fondation-worker").resolve("bin").resolve("fondation-worker");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing: run the package phase first");
        }
        return launcher;
    }

    /** The class-data archive built next to it, when there is one. */
    static Optional<Path> archive() {
        Path jsa = jar().resolveSibling("fondation-worker.jsa");
        if (!Files.isRegularFile(jsa)) {
            return Optional.empty();
        }
        try {
            // why: the JVM silently ignores an archive made from an older jar, and the figures would lie
            if (Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar())) < 0) {
                throw new IllegalStateException(jsa + " is older than " + jar() + ": the JVM would ignore it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(jsa);
    }

    /** The quick JIT tier only, as the documented launch commands (README, image, systemd unit) start the worker. */
    static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";

    /**
     * The JVM options of the documented launch command: the class-data archive when there is one, the quick JIT
     * tier only.
     */
    static List<String> documentedOptions() {
        List<String> options = new ArrayList<>();
        archive().ifPresent(jsa -> options.add("-XX:SharedArchiveFile=" + jsa));
        options.add(QUICK_JIT);
        return options;
    }

    /** The {@code docs/} folder the report goes to ({@code fondation.docs.dir}). */
    static Path docs() {
        return Path.of(System.getProperty("fondation.docs.dir", "../docs")).toAbsolutePath();
    }

    /** A scratch folder on tmpfs when the machine has one (clones there do not wait on the disk), else {@code tmp}. */
    static Path scratch(Path tmp, String name) {
        Path shm = Path.of("/dev/shm");
        try {
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : tmp;
            return Files.createTempDirectory(base, "fondation-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java [options] -cp <the test class path> main args}. */
    static List<String> javaMain(List<String> options, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(options);
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** The 1, 5 and 15 minute load averages. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Waits, at most {@code limit}, for the 1-minute load average to fall under 1 (the benchmarks that ran before
     * this one, or a build that just ended), so that the load printed at the start tells of other work only.
     */
    static void settle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (load1() >= 1.0 && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(2); // why: a bounded wait on the kernel's load average, not on a result
        }
    }

    /** The 1-minute load average. */
    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** CPU time (user + system) a process has used so far, in ms; -1 when unknown. */
    static long cpuMillis(long pid) {
        // fields 14 and 15 of proc(5): utime and stime
        return statMillis(pid, 14);
    }

    /**
     * CPU time (user + system) of a process's children it has waited for (git, the analyzer and their own
     * children), in ms; -1 when unknown.
     */
    static long childrenCpuMillis(long pid) {
        // fields 16 and 17 of proc(5): cutime and cstime
        return statMillis(pid, 16);
    }

    /** Fields {@code field} and {@code field + 1} of {@code /proc/<pid>/stat} (clock ticks of 10 ms), in ms. */
    private static long statMillis(long pid, int field) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // why: the fields after the command name, which may hold spaces; field 3 of proc(5) is index 0
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[field - 3]) + Long.parseLong(fields[field - 2])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A free loopback port. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the benchmark analyzer script into {@code dir} and returns its path. */
    static Path analyzer(Path dir) {
        try (InputStream in = BenchEnv.class.getResourceAsStream("/bench/bench-analyzer.sh")) {
            Files.createDirectories(dir);
            Path script = dir.resolve("bench-analyzer.sh");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ANALYZER_COMMAND running the benchmark analyzer. */
    static String analyzerCommand(Path script) {
        return "[\"" + script + "\", \"{outputDir}\", \"{prompt}\", \"{jobId}\"]";
    }

    /** Starts {@code command} with {@code env} added, output to {@code log}. */
    static Process start(List<String> command, Map<String, String> env, Path log) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("LANG", "C.UTF-8");
            builder.environment().putAll(env);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code command} to its end and returns its output (bounded by the caller's command). */
    static String run(List<String> command, Path dir) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes());
            int code = process.waitFor();
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + code + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
