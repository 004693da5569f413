package io.fondation.clibridge.resume;

import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.StepFiles;
import io.fondation.shared.CheckpointFile;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One complete and valid output file of an analysis in the Fondation CLI's layout, ready to be checkpointed
 * ({@link OutputFileCheck} made it):
 * <pre>
 * step1_abstractions.yaml, step2_relationships.yaml, step3_order.yaml   steps 1, 2, 3
 * chapters/chapter_&lt;n&gt;_&lt;slug&gt;.md                                         step 4
 * reviewed-chapters/chapter_&lt;n&gt;_&lt;slug&gt;.md                                step 5
 * tutorials/tutorial_&lt;n&gt;_&lt;slug&gt;.md                                       step 6
 * </pre>
 *
 * @param path the path in the output directory, {@code /}-separated
 * @param step the step (1 to 6) that writes it
 * @param index the chapter or tutorial number in its name, or {@code null} for a step file
 * @param content its text
 */
public record OutputFile(String path, int step, Integer index, String content) {

    private static final Pattern MARKDOWN_NAME = Pattern.compile("[A-Za-z0-9._-]+\\.md");

    public OutputFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(content, "content");
        if (stepOf(path).orElse(0) != step) {
            throw new IllegalArgumentException(path + " is not a file of step " + step);
        }
    }

    /**
     * The step that writes {@code path} in the Fondation CLI's layout, or empty when the path is not one of its
     * output files (another file, a hidden or nested one, a Markdown file outside the three directories).
     */
    public static Optional<Integer> stepOf(String path) {
        switch (path) {
            case StepFiles.ABSTRACTIONS:
                return Optional.of(1);
            case StepFiles.RELATIONSHIPS:
                return Optional.of(2);
            case StepFiles.ORDER:
                return Optional.of(3);
            default:
                break;
        }
        int slash = path.indexOf('/');
        if (slash < 0 || path.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        String name = path.substring(slash + 1);
        if (name.startsWith(".") || !MARKDOWN_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return switch (path.substring(0, slash)) {
            case "chapters" -> Optional.of(4);
            case "reviewed-chapters" -> Optional.of(5);
            case "tutorials" -> Optional.of(6);
            default -> Optional.empty();
        };
    }

    /** The file's name without its directory. */
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The numeric index in a Markdown file's name, or null. */
    static Integer indexIn(String path) {
        return OutputCollector.indexOf(path.substring(path.lastIndexOf('/') + 1));
    }

    /** The file as a queue keeps it in a job's checkpoint. */
    public CheckpointFile toCheckpointFile() {
        return new CheckpointFile(path, content);
    }

    @Override
    public String toString() {
        // why: a chapter may be long; logs name the file
        return "OutputFile[" + path + ", step " + step + "]";
    }
}
