package io.fondation.clibridge.output;

import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * How far an analyzer writing the Fondation CLI's layout has come, judged from the files it wrote:
 * a step's files are written when the step ends, so the step under way is the one after the last
 * step with files. No file is read, and a section's listing stops at its first Markdown file.
 *
 * <table>
 *   <caption>Files seen and step under way</caption>
 *   <tr><td>nothing yet</td><td>1 (extracting abstractions)</td></tr>
 *   <tr><td>{@code step1_abstractions.yaml}</td><td>2 (relationships)</td></tr>
 *   <tr><td>{@code step2_relationships.yaml}</td><td>3 (chapter order)</td></tr>
 *   <tr><td>{@code step3_order.yaml} or a file in {@code chapters/}</td><td>4 (chapters)</td></tr>
 *   <tr><td>a file in {@code reviewed-chapters/}</td><td>5 (review)</td></tr>
 *   <tr><td>a file in {@code tutorials/}</td><td>6 (tutorials)</td></tr>
 * </table>
 */
public final class OutputProgress {

    private OutputProgress() {}

    /** The step under way (1 to 6) for the files in {@code outputDir}; 1 when it is missing or unreadable. */
    public static int step(Path outputDir) {
        if (hasMarkdown(outputDir.resolve("tutorials"))) {
            return 6;
        }
        if (hasMarkdown(outputDir.resolve("reviewed-chapters"))) {
            return 5;
        }
        if (isFile(outputDir.resolve(StepFiles.ORDER)) || hasMarkdown(outputDir.resolve("chapters"))) {
            return 4;
        }
        if (isFile(outputDir.resolve(StepFiles.RELATIONSHIPS))) {
            return 3;
        }
        return isFile(outputDir.resolve(StepFiles.ABSTRACTIONS)) ? 2 : 1;
    }

    /** The progress for {@link #step(Path)}, with the Fondation CLI's message for that step. */
    public static Progress of(Path outputDir) {
        int step = step(outputDir);
        return new Progress(step, Progress.FONDATION_STEPS, ProgressText.ENGLISH_STEPS.get(step - 1));
    }

    private static boolean isFile(Path path) {
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean hasMarkdown(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        // why: the glob filter stops at the first match; a directory of many chapters costs one entry.
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.md")) {
            return entries.iterator().hasNext();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
