package io.fondation.clibridge.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Writes a realistic Fondation CLI output directory for tests. */
public final class OutputTree {

    public static final String ABSTRACTIONS = ""
            + "- name: Job Queue\n"
            + "  description: |\n"
            + "    Stores jobs and hands them to workers under a lease.\n"
            + "  file_paths:\n"
            + "    - src/queue.ts\n"
            + "    - src/lease.ts\n"
            + "- name: Worker\n"
            + "  description: Polls the queue and runs the analyzer.\n"
            + "  file_paths: [src/worker.ts]\n"
            + "- name: \"Analyzer: CLI\"\n"
            + "  description: Turns a repository into a course.\n"
            + "  file_paths: []\n";
    public static final String RELATIONSHIPS = ""
            + "summary: A worker runs analyses from a queue.\n"
            + "relationships:\n"
            + "  - from_abstraction: 1 # Worker\n"
            + "    to_abstraction: 0 # Job Queue\n"
            + "    label: Claims jobs from\n"
            + "    evidence: worker.ts calls claimOne\n"
            + "  - from_abstraction: 1\n"
            + "    to_abstraction: 2\n"
            + "    label: Runs\n";
    public static final String ORDER = ""
            + "order:\n"
            + "  - index: 0\n"
            + "    name: Job Queue\n"
            + "    reasoning: Everything starts with a job.\n"
            + "  - index: 1\n"
            + "    name: Worker\n"
            + "    reasoning: It consumes the queue.\n"
            + "  - index: 2\n"
            + "    name: \"Analyzer: CLI\"\n"
            + "    reasoning: Last.\n";

    private OutputTree() {}

    /** The three YAML files of steps 1 to 3. */
    public static void writeYaml(Path dir) {
        write(dir.resolve("step1_abstractions.yaml"), ABSTRACTIONS);
        write(dir.resolve("step2_relationships.yaml"), RELATIONSHIPS);
        write(dir.resolve("step3_order.yaml"), ORDER);
    }

    /** Everything: YAML, chapters 1, 2 and 10 (written out of order), reviewed chapters, tutorials. */
    public static void writeComplete(Path dir) {
        writeYaml(dir);
        write(dir.resolve("chapters/chapter_10_appendix.md"), "# Chapter 10: Appendix\n\nMore.\n");
        write(dir.resolve("chapters/chapter_2_worker.md"), "# Chapter 2: Worker\n\nThe worker polls.\n");
        write(dir.resolve("chapters/chapter_1_job-queue.md"), "# Chapter 1: Job Queue\n\nJobs wait here.\n");
        write(dir.resolve("reviewed-chapters/chapter_2_worker.md"), "# Chapter 2: Worker\n\nReviewed text.\n");
        write(dir.resolve("reviewed-chapters/chapter_1_job-queue.md"), "# Chapter 1: Job Queue\n\nReviewed.\n");
        write(dir.resolve("tutorials/tutorial_1_job-queue.md"), "# Interactive Tutorial: Job Queue\n\nTry it.\n");
    }

    /** Every regular file under {@code dir}: its path relative to {@code dir} ({@code /}-separated) to its text. */
    public static Map<String, String> read(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    public static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
