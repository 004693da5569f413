package io.fondation.worker.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Installs the bash stand-in for the Fondation CLI ({@code runtime/test-analyzer.sh}) into a test directory. */
public final class TestAnalyzer {

    private TestAnalyzer() {}

    /** Copies the script to {@code dir/test-analyzer.sh} and makes it executable. */
    public static Path install(Path dir) {
        try (InputStream in = TestAnalyzer.class.getResourceAsStream("/runtime/test-analyzer.sh")) {
            if (in == null) {
                throw new IllegalStateException("test resource runtime/test-analyzer.sh is missing");
            }
            Files.createDirectories(dir);
            Path script = dir.resolve("test-analyzer.sh");
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ANALYZER_COMMAND JSON that runs {@code script} with the job's repo, output dir, prompt and id. */
    public static String commandJson(Path script) {
        return "[\"" + script + "\", \"{repo}\", \"{outputDir}\", \"{prompt}\", \"{jobId}\"]";
    }

    /**
     * The machine's process id of the process that wrote its {@code $$} (or {@code $!}) into {@code pidFile}: in the
     * analyzer's sandbox, process ids are those of its own PID namespace. The process is found among the processes
     * whose command line names {@code pidFile} (the script's prompt carries it; a {@code .child} file is that path
     * plus {@code .child}) and their descendants, by the last id of its {@code NSpid} (its id in its innermost
     * namespace); outside a sandbox that id is the process's own.
     *
     * @throws IllegalStateException when no such process runs
     */
    public static long hostPid(Path pidFile) {
        long inner;
        try {
            inner = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String file = pidFile.toString();
        String marker = file.endsWith(".child") ? file.substring(0, file.length() - ".child".length()) : file;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .commandLine()
                        .map(line -> line.contains(marker))
                        .orElse(false))
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                .filter(p -> innermostPid(p.pid()) == inner)
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no running process wrote " + inner + " into " + pidFile));
    }

    /** The process's id in its innermost PID namespace (the last field of {@code NSpid}), or -1 when it is gone. */
    private static long innermostPid(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).strip().split("\\s+");
                    return Long.parseLong(ids[ids.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The slugs the script's successful run produces, in reading order. */
    public static final List<String> EXPECTED_SLUGS = List.of(
            "step1_abstractions.yaml",
            "step2_relationships.yaml",
            "step3_order.yaml",
            "chapters/chapter_1_topic-1.md",
            "chapters/chapter_2_topic-2.md",
            "chapters/chapter_10_topic-10.md",
            "reviewed-chapters/chapter_1_topic-1.md",
            "reviewed-chapters/chapter_2_topic-2.md",
            "reviewed-chapters/chapter_10_topic-10.md",
            "tutorials/tutorial_1_getting-started.md");
}
