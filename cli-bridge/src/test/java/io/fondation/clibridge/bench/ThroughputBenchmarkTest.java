package io.fondation.clibridge.bench;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.output.CollectedOutput;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.process.OutputChannel;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.clibridge.process.ProcessRunner;
import io.fondation.clibridge.process.ProcessSpec;
import io.fondation.clibridge.process.StreamDrainer;
import io.fondation.clibridge.process.TailBuffer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the line throughput of the output reader and the time to collect 10,000 Markdown files.
 * Not a timed test: it asserts nothing about speed. Run with
 * {@code ./mvnw -Pbenchmarks -pl cli-bridge verify}.
 */
@Tag("benchmark")
class ThroughputBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void readerThroughputInMemory() {
        for (int lineLength : new int[] {100, 1000}) {
            long total = 1L << 30; // 1 GiB
            byte[] line = ("y".repeat(lineLength - 1) + "\n").getBytes(StandardCharsets.US_ASCII);
            drain(line, total / 4); // warm-up
            long start = System.nanoTime();
            long lines = drain(line, total);
            report("reader, in memory, " + lineLength + "-byte lines", lines, total, System.nanoTime() - start);
        }
    }

    @Test
    void readerThroughputFromAChildProcess() throws Exception {
        long total = 1L << 30;
        AtomicLong lines = new AtomicLong();
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("flood.sh", Long.toString(total)),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1));
        long start = System.nanoTime();
        ProcessOutcome outcome = new ProcessRunner()
                .start(spec, (channel, text) -> {
                    if (channel == OutputChannel.STDOUT) {
                        lines.incrementAndGet();
                    }
                })
                .await();
        long nanos = System.nanoTime() - start;
        report(
                "ProcessRunner, child process (exit " + outcome.exitCode() + "), 100-byte lines",
                lines.get(),
                total,
                nanos);
    }

    @Test
    void collectingTenThousandMarkdownFiles() throws Exception {
        Path out = dir.resolve("out");
        Path chapters = Files.createDirectories(out.resolve("chapters"));
        String body = "Some text of the chapter, with `code` and **emphasis**.\n".repeat(40);
        for (int i = 10_000; i >= 1; i--) {
            Files.writeString(
                    chapters.resolve("chapter_" + i + "_topic-" + i + ".md"),
                    "# Chapter " + i + ": Topic " + i + "\n\n" + body);
        }
        OutputCollector collector = new OutputCollector(new OutputLimits(20_000, 1 << 20, 1L << 32));
        collector.collect(out); // warm-up
        for (int run = 1; run <= 3; run++) {
            long start = System.nanoTime();
            CollectedOutput collected = collector.collect(out);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "BENCHMARK collect 10,000 Markdown files (%d KiB each): run %d: %d ms (%d documents)%n",
                    Files.size(chapters.resolve("chapter_1_topic-1.md")) / 1024,
                    run,
                    millis,
                    collected.documents().size());
        }
    }

    private static long drain(byte[] line, long total) {
        InputStream in = new RepeatingStream(line, total);
        AtomicLong lines = new AtomicLong();
        new StreamDrainer(
                        in,
                        OutputChannel.STDOUT,
                        64 * 1024,
                        new TailBuffer(64 * 1024),
                        (channel, text) -> lines.incrementAndGet())
                .run();
        return lines.get();
    }

    private static void report(String what, long lines, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        System.out.printf(
                "BENCHMARK %s: %,d lines in %.2f s = %,.0f lines/s, %.0f MB/s%n",
                what, lines, seconds, lines / seconds, bytes / 1e6 / seconds);
    }

    /** Serves {@code total} bytes made of one line repeated, copied from a prepared block. */
    private static final class RepeatingStream extends InputStream {
        private final byte[] block;
        private final int lineLength;
        private long remaining;
        private int pos;

        RepeatingStream(byte[] line, long total) {
            int copies = (64 * 1024) / line.length + 2;
            this.block = new byte[copies * line.length];
            for (int i = 0; i < copies; i++) {
                System.arraycopy(line, 0, block, i * line.length, line.length);
            }
            this.lineLength = line.length;
            this.remaining = total;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, remaining), block.length - pos);
            System.arraycopy(block, pos, b, off, n);
            pos = (pos + n) % lineLength;
            remaining -= n;
            return n;
        }
    }
}
