package io.fondation.clibridge.resume;

import io.fondation.clibridge.output.ChapterOrder;
import io.fondation.clibridge.output.MarkdownTitle;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputException;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.output.SafeYaml;
import io.fondation.clibridge.output.StepFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether one output file is complete and valid enough to be checkpointed and restored: a step YAML that
 * parses into what its step must hold (at least one abstraction; a relationships list; at least one chapter in the
 * order), or a non-empty UTF-8 chapter, reviewed chapter or tutorial with a numbered name and a Markdown title that is
 * not {@value #NO_CONTENT} (what the Fondation CLI writes for an empty model answer, and would keep for ever: it skips
 * a file that exists). Files of other paths are not output files. Links, sizes and the rest of the layout's rules are
 * {@link OutputCollector}'s; this check is about one file's content.
 */
public final class OutputFileCheck {

    /** What the Fondation CLI writes for a model answer that is empty. */
    public static final String NO_CONTENT = "(no content)";

    private final OutputLimits limits;
    private final SafeYaml yaml;

    public OutputFileCheck(OutputLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.yaml = new SafeYaml(limits.maxFileBytes());
    }

    /** With {@link OutputLimits#defaults()}. */
    public static OutputFileCheck withDefaults() {
        return new OutputFileCheck(OutputLimits.defaults());
    }

    /** The largest file accepted, in bytes. */
    public long maxFileBytes() {
        return limits.maxFileBytes();
    }

    /** The verdict on one file. */
    public sealed interface Verdict {
        /** The path the verdict is about. */
        String path();

        /** Complete and valid: checkpoint it, restore it. */
        record Valid(OutputFile file) implements Verdict {
            @Override
            public String path() {
                return file.path();
            }
        }

        /** An output file that must not be kept; {@code reason} says why, in words for the log and the job row. */
        record Invalid(String path, String reason) implements Verdict {}

        /** Not a file of the output layout at all. */
        record NotOutput(String path) implements Verdict {}
    }

    /** Checks a file as read from disk: its bytes must be UTF-8 and within the size limit. */
    public Verdict check(String path, byte[] bytes) {
        if (OutputFile.stepOf(path).isEmpty()) {
            return new Verdict.NotOutput(path);
        }
        if (bytes.length > limits.maxFileBytes()) {
            return new Verdict.Invalid(
                    path, "is " + bytes.length + " bytes, more than the limit of " + limits.maxFileBytes());
        }
        try {
            return check(path, OutputCollector.decode(path, bytes));
        } catch (OutputException e) {
            return new Verdict.Invalid(path, problem(e));
        }
    }

    /** Checks a file's text (from a checkpoint, say). */
    public Verdict check(String path, String content) {
        Optional<Integer> step = OutputFile.stepOf(path);
        if (step.isEmpty()) {
            return new Verdict.NotOutput(path);
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > limits.maxFileBytes()) {
            return new Verdict.Invalid(path, "is more than the limit of " + limits.maxFileBytes() + " bytes");
        }
        if (content.isBlank()) {
            return new Verdict.Invalid(path, "is empty");
        }
        try {
            if (step.get() <= 3) {
                checkStepFile(step.get(), path, content);
                return new Verdict.Valid(new OutputFile(path, step.get(), null, content));
            }
            Integer index = OutputFile.indexIn(path);
            if (index == null) {
                return new Verdict.Invalid(path, "has no number in its name: it cannot be matched to its chapter");
            }
            if (content.strip().equals(NO_CONTENT)) {
                return new Verdict.Invalid(path, "is '" + NO_CONTENT + "': the model answered nothing");
            }
            Optional<String> title = MarkdownTitle.of(content);
            if (title.isEmpty()) {
                return new Verdict.Invalid(path, "has no title (no Markdown heading): it may have been cut");
            }
            if (title.get().equals(NO_CONTENT)) {
                return new Verdict.Invalid(path, "is titled '" + NO_CONTENT + "': the model answered nothing");
            }
            return new Verdict.Valid(new OutputFile(path, step.get(), index, content));
        } catch (OutputException e) {
            return new Verdict.Invalid(path, problem(e));
        }
    }

    /** The problem an exception names, without its file (the verdict names the file). */
    static String problem(OutputException e) {
        String prefix = e.file() + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /** The order of a valid {@code step3_order.yaml}. */
    ChapterOrder order(String content) {
        return StepFiles.order(yaml.load(StepFiles.ORDER, content));
    }

    /** Parses and maps a step file; throws naming what is wrong. */
    Object parsedStepFile(int step, String path, String content) {
        Object document = yaml.load(path, content);
        return switch (step) {
            case 1 -> StepFiles.abstractions(document);
            case 2 -> StepFiles.relationships(document);
            default -> StepFiles.order(document);
        };
    }

    private void checkStepFile(int step, String path, String content) {
        Object parsed = parsedStepFile(step, path, content);
        if (parsed instanceof List<?> abstractions && abstractions.isEmpty()) {
            throw new OutputException(path, "lists no abstraction");
        }
        if (parsed instanceof ChapterOrder order && order.order().isEmpty()) {
            throw new OutputException(path, "orders no chapter");
        }
    }
}
