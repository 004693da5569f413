package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 600 MB of output go through the runner in a child JVM limited to a 48 MiB heap: it would die
 * with OutOfMemoryError if the output were buffered, and it counts every line.
 */
@Tag("slow")
class LargeOutputTest {

    private static final long BYTES = 600_000_000L;
    private static final int LINE = 100; // the fixture prints 99 characters and a newline

    @TempDir
    Path dir;

    @Test
    void processesSixHundredMegabytesWithABoundedHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                java,
                "-Xmx48m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                LargeOutputMain.class.getName(),
                Long.toString(BYTES));
        Map<String, String> results = new HashMap<>();
        StringBuilder errors = new StringBuilder();
        ProcessOutcome outcome = new ProcessRunner()
                .start(
                        new ProcessSpec(
                                command, dir, Fixtures.minimalEnv(), Duration.ofMinutes(10), Duration.ofSeconds(2)),
                        (channel, line) -> {
                            if (channel == OutputChannel.STDOUT && line.contains("=")) {
                                results.put(
                                        line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
                            } else {
                                errors.append(line).append('\n');
                            }
                        })
                .await();

        assertThat(outcome.exitCode()).as("child JVM exit; stderr:%n%s", errors).isZero();
        assertThat(results.get("exit")).isEqualTo("0");
        assertThat(Long.parseLong(results.get("lines"))).isEqualTo(BYTES / LINE);
        assertThat(Long.parseLong(results.get("chars"))).isEqualTo(BYTES / LINE * (LINE - 1));
        assertThat(results.get("stderrLines")).isEqualTo("2");
        assertThat(Long.parseLong(results.get("stdoutTailBytes"))).isEqualTo(ProcessRunner.DEFAULT_TAIL_BYTES);
        long peak = Long.parseLong(results.get("peakHeapBytes"));
        assertThat(peak).isLessThanOrEqualTo(48L * 1024 * 1024);
        System.out.printf(
                "600 MB through ProcessRunner: %s ms, peak heap %.1f MiB%n", results.get("millis"), peak / 1048576.0);
    }
}
