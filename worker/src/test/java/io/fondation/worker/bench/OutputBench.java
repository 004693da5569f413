package io.fondation.worker.bench;

import io.fondation.clibridge.output.CollectedOutput;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Output at scale: 1 GiB of analyzer stdout through a whole worker ({@code dev}) capped at 64 MiB of heap, and
 * 10,000 Markdown files collected by cli-bridge's {@link OutputCollector} and saved in one SQLite completion.
 */
final class OutputBench {

    /** The stdout run. */
    record Stdout(long mib, boolean completed, double seconds, long peakRssKiB, int exitCode) {}

    /** The collect-and-save run. */
    record Markdown(int files, Stats collectMillis, Stats saveMillis, int saved) {}

    private final Path scratch;
    private final Path repository;

    OutputBench(Path scratch, Path repository) {
        this.scratch = scratch;
        this.repository = repository;
    }

    Stdout stdout(long mib) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("stdout"));
        Path script = BenchEnv.analyzer(dir.resolve("bin"));
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "MAXRSS %M", BenchEnv.java(), "-Xmx64m"));
        command.addAll(BenchEnv.documentedOptions());
        command.addAll(List.of(
                "-jar",
                BenchEnv.jar().toString(),
                "dev",
                "--db",
                dir.resolve("queue.db").toString(),
                "--out",
                dir.resolve("out").toString(),
                "--prompt",
                "- 10 " + mib,
                repository.toString()));
        Path log = dir.resolve("dev.log");
        long started = System.nanoTime();
        Process process = BenchEnv.start(
                command,
                Map.of(
                        "ANALYZER", "command",
                        "ANALYZER_COMMAND", BenchEnv.analyzerCommand(script),
                        "TEMP_DIR", dir.resolve("tmp").toString(),
                        "HEALTH_PORT", "-1",
                        "MIN_FREE_DISK_MB", "0"),
                log);
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("dev did not finish: " + Files.readString(log));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long rss = -1;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("MAXRSS ")) {
                rss = Long.parseLong(line.substring(7).trim());
            }
        }
        int code = process.exitValue();
        Stdout result = new Stdout(mib, code == 0, seconds, rss, code);
        System.out.printf("BENCHMARK stdout: %s%n", result);
        if (code != 0) {
            System.out.println(Files.readString(log));
        }
        return result;
    }

    Markdown markdown(int files, int runs) throws IOException {
        List<Double> collect = new ArrayList<>();
        List<Double> save = new ArrayList<>();
        int saved = 0;
        Path output = Files.createDirectories(scratch.resolve("markdown/output"));
        writeCourse(output, files);
        OutputCollector collector = new OutputCollector(new OutputLimits(files + 10, 1024 * 1024, 1L << 30));
        try (JobQueue queue = SqliteJobQueue.open(scratch.resolve("markdown/queue.db"), Clock.systemUTC())) {
            for (int run = 0; run < runs; run++) {
                long started = System.nanoTime();
                CollectedOutput collected = collector.collect(output);
                collect.add((System.nanoTime() - started) / 1e6);
                queue.enqueue(JobSpec.of(CloneSource.ofUrl(repository.toString(), null), "markdown " + run));
                ClaimedJob job = queue.claimOne("bench", Duration.ofMinutes(5)).orElseThrow();
                started = System.nanoTime();
                CompleteOutcome outcome = queue.complete(
                        job.lease(),
                        new Completion(
                                JobResult.of("done", collected.documents().size()), collected.documents(), null));
                save.add((System.nanoTime() - started) / 1e6);
                if (outcome != CompleteOutcome.COMPLETED) {
                    throw new IllegalStateException("the completion was refused: " + outcome);
                }
                saved = queue.documents(job.id()).size();
            }
        }
        Markdown result = new Markdown(files, Stats.of(collect), Stats.of(save), saved);
        System.out.printf(
                "BENCHMARK %d Markdown files: collect %s ms, save %s ms, %d saved%n", files, collect, save, saved);
        return result;
    }

    /**
     * Topics the step files name: the queue stores each step file as one document of at most 900 KiB, which
     * 10,000 topics would exceed (about 110 bytes of JSON each); the chapters beyond them are Markdown like the rest.
     */
    static final int STEP_TOPICS = 1_000;

    /** The three step files and {@code files - 3} chapters of about 2 KiB each. */
    private static void writeCourse(Path output, int files) throws IOException {
        Path chapters = Files.createDirectories(output.resolve("chapters"));
        StringBuilder abstractions = new StringBuilder();
        StringBuilder order = new StringBuilder("order:\n");
        String body = "Some explanation of the code, with an excerpt.\n".repeat(40);
        for (int i = 1; i <= files - 3; i++) {
            Files.writeString(
                    chapters.resolve("chapter_" + i + "_topic-" + i + ".md"),
                    "# Chapter " + i + ": Topic " + i + "\n\n" + body);
            if (i > STEP_TOPICS) {
                continue;
            }
            abstractions
                    .append("- {name: Topic ")
                    .append(i)
                    .append(", description: Part ")
                    .append(i)
                    .append(", file_paths: [README.md]}\n");
            order.append("  - {index: ")
                    .append(i - 1)
                    .append(", name: Topic ")
                    .append(i)
                    .append(", reasoning: In order}\n");
        }
        Files.writeString(output.resolve("step1_abstractions.yaml"), abstractions);
        Files.writeString(output.resolve("step2_relationships.yaml"), "summary: Alone.\nrelationships: []\n");
        Files.writeString(output.resolve("step3_order.yaml"), order);
    }
}
