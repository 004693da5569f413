package io.fondation.worker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/fondation-worker} (worker/src/dist), the distribution's launcher, run as {@code sh} runs it: through a
 * symbolic link, it starts the worker to ready with the documented JVM options, {@code JAVA_OPTS} after them and the
 * worker's arguments exactly as given; a class-data archive it cannot use leaves no line on the output. The jar of
 * its {@code lib/} is a pathing jar onto the test's classpath (the real one is made at {@code package}, after the
 * tests); {@code make-dist.sh} puts the real jar there.
 */
class LauncherTest {

    private static final Path LAUNCHER = DeploymentFilesTest.ROOT.resolve("worker/src/dist/bin/fondation-worker");
    private static final Pattern HEALTH_PORT = Pattern.compile("health server listening on [^:]+:(\\d+)");

    @TempDir
    Path temp;

    @Test
    void startsTheWorkerToReadyWithTheDocumentedOptionsAndTheArgumentsAsGiven() throws Exception {
        Path home = temp.resolve("dist");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        Files.copy(LAUNCHER, bin.resolve("fondation-worker"));
        pathingJar(lib.resolve("fondation-worker.jar"));
        // An archive of another build: the JVM ignores it, and must say nothing about it.
        Files.writeString(lib.resolve("fondation-worker.jsa"), "not an archive of this JDK");
        Path link = Files.createDirectories(temp.resolve("usr-local-bin")).resolve("fondation-worker");
        Files.createSymbolicLink(link, bin.resolve("fondation-worker"));
        Path tempDir = temp.resolve("work dir with spaces");
        Path log = temp.resolve("launcher.log");

        ProcessBuilder builder = new ProcessBuilder(
                        "sh",
                        link.toString(),
                        "run",
                        "--dry-run",
                        "--temp-dir",
                        tempDir.toString(),
                        "--worker-id",
                        "launched")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", "-Xmx256m -Dfondation.launcher.test=*");
        builder.environment().put("HOME", temp.toString());
        builder.environment().put("QUEUE", "embedded");
        builder.environment().put("EMBEDDED_DB_PATH", temp.resolve("queue.db").toString());
        builder.environment().put("HEALTH_PORT", "0");
        builder.environment().put("HEALTH_HOST", "127.0.0.1");
        builder.environment().put("MIN_FREE_DISK_MB", "0");
        builder.environment().put("LOG_FORMAT", "text");
        Process process = builder.start();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("the launcher exited: " + read(log), () -> !process.isAlive())
                    .until(() -> HEALTH_PORT.matcher(read(log)).find());
            Matcher port = HEALTH_PORT.matcher(read(log));
            assertThat(port.find()).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> http.send(
                                            HttpRequest.newBuilder(URI.create(
                                                            "http://127.0.0.1:" + port.group(1) + "/health/ready"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200);

            // exec: the launcher's process is the JVM; its command line is what the launcher built.
            List<String> command = Arrays.asList(
                    Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"), StandardCharsets.UTF_8)
                            .split("\0"));
            System.out.println("launcher: " + String.join(" ", command));
            assertThat(command.get(0))
                    .isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
            assertThat(command)
                    .containsSubsequence(
                            "-XX:SharedArchiveFile=" + lib.toRealPath().resolve("fondation-worker.jsa"),
                            "-XX:TieredStopAtLevel=1",
                            "-Xmx256m",
                            "-Dfondation.launcher.test=*",
                            "-jar",
                            lib.toRealPath().resolve("fondation-worker.jar").toString(),
                            "run",
                            "--dry-run",
                            "--temp-dir",
                            tempDir.toString(),
                            "--worker-id",
                            "launched");
            assertThat(Files.isDirectory(tempDir))
                    .as("the argument with spaces arrived whole")
                    .isTrue();
            assertThat(read(log)).as("no word about the unusable archive").doesNotContainIgnoringCase("archive");
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(process.exitValue()).as(read(log)).isZero();
    }

    /** A jar holding only a manifest: the worker's main class and the test's classpath. */
    private static void pathingJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.fondation.worker.Main");
        manifest.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        manifest.getMainAttributes()
                .put(
                        Attributes.Name.CLASS_PATH,
                        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                                .map(entry -> Path.of(entry).toUri().toString())
                                .collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the manifest is the whole jar
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
