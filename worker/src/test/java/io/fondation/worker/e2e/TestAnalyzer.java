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
