package io.fondation.clibridge.process;

import io.fondation.clibridge.Fixtures;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a child JVM with a small heap by {@link LargeOutputTest}: streams the flood fixture's
 * output through {@link ProcessRunner} and prints what it counted and the peak heap use.
 * Arguments: the number of bytes to flood.
 */
public final class LargeOutputMain {

    private LargeOutputMain() {}

    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[0]);
        AtomicLong lines = new AtomicLong();
        AtomicLong chars = new AtomicLong();
        AtomicLong errLines = new AtomicLong();
        ProcessSpec spec = new ProcessSpec(
                Fixtures.bash("flood.sh", Long.toString(bytes)),
                Path.of("."),
                Fixtures.minimalEnv(),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1));
        long start = System.nanoTime();
        ProcessOutcome outcome = new ProcessRunner()
                .start(spec, (channel, line) -> {
                    if (channel == OutputChannel.STDOUT) {
                        lines.incrementAndGet();
                        chars.addAndGet(line.length());
                    } else {
                        errLines.incrementAndGet();
                    }
                })
                .await();
        long nanos = System.nanoTime() - start;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("exit=" + outcome.exitCode());
        System.out.println("lines=" + lines.get());
        System.out.println("chars=" + chars.get());
        System.out.println("stderrLines=" + errLines.get());
        System.out.println("stdoutTailBytes=" + outcome.stdoutTail().length());
        System.out.println("peakHeapBytes=" + peak);
        System.out.println("maxHeapBytes=" + Runtime.getRuntime().maxMemory());
        System.out.println("millis=" + nanos / 1_000_000);
    }
}
