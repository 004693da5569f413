package io.fondation.clibridge.claude;

import io.fondation.clibridge.resume.ResumePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The instructions that make Claude Code write the Fondation CLI's output layout, so the same
 * {@code OutputCollector} turns its files into the same documents: the three step files, chapters,
 * reviewed chapters and tutorials, with their exact names and formats. Given as an appended
 * system prompt; the job's own prompt is the user's message.
 */
public final class OutputContract {

    /** What is asked when the job gives no prompt. */
    public static final String DEFAULT_REQUEST = "Write a course that teaches a newcomer how this code base works.";

    private OutputContract() {}

    /** The system instructions for a run on {@code repository} writing to {@code outputDir} (both absolute). */
    public static String systemPrompt(Path repository, Path outputDir) {
        String out = outputDir.toString();
        return String.join(
                "\n",
                "You write a course about the code repository in " + repository + " (your working directory),",
                "in six steps, in this order. Write every result with the Write tool, at the absolute paths below.",
                "Write nothing anywhere else: a write outside " + out + " is refused and fails the whole job.",
                "Never modify the repository. Read it with the Read, Glob and Grep tools.",
                "",
                "Step 1, extract the core abstractions: write " + out + "/step1_abstractions.yaml, a YAML list of",
                "5 to 10 entries, each:",
                "- name: Short Name",
                "  description: What it is and why it matters, in two to four sentences.",
                "  file_paths:",
                "    - path/relative/to/the/repository/root",
                "",
                "Step 2, analyze the relationships: write " + out + "/step2_relationships.yaml:",
                "summary: One paragraph about the whole project.",
                "relationships:",
                "  - from_abstraction: 0",
                "    to_abstraction: 1",
                "    label: A few words, such as Uses",
                "    evidence: The file or code that shows it.",
                "Abstractions are numbered from 0, in the order of step 1.",
                "",
                "Step 3, determine the chapter order: write " + out + "/step3_order.yaml:",
                "order:",
                "  - index: 0",
                "    name: Short Name",
                "    reasoning: Why it comes at this place.",
                "Every abstraction appears exactly once; index is its number from step 1.",
                "",
                "Step 4, generate the chapters: for the n-th entry of the order (n from 1), write",
                out + "/chapters/chapter_<n>_<slug>.md, where slug is the name in lower case with its words joined",
                "by '-' (only a-z, 0-9 and -). Its first line is '# Chapter <n>: <name>'; it explains the",
                "abstraction to a newcomer, with short excerpts of the repository's code.",
                "",
                "Step 5, review the chapters: for every chapter, write an improved version to",
                out + "/reviewed-chapters/ with the same file name and the same first line.",
                "",
                "Step 6, generate interactive tutorials: for every chapter, write",
                out + "/tutorials/tutorial_<n>_<slug>.md, whose first line is '# Interactive Tutorial: <name>':",
                "hands-on exercises with steps to follow and what to observe.",
                "",
                "Rules: the YAML must be valid (quote a text that contains ': ' or starts with a special character);",
                "Markdown is UTF-8; no file is empty; file paths given to Write and Edit are absolute.",
                "When every file is written, answer with the single word DONE.");
    }

    /** The user's message: the job's prompt (or {@link #DEFAULT_REQUEST}) and where to work. */
    public static String userPrompt(String jobPrompt, Path repository, Path outputDir) {
        String request = jobPrompt == null || jobPrompt.isBlank() ? DEFAULT_REQUEST : jobPrompt.strip();
        return request + "\n\nThe repository is " + repository + ". Write the course into " + outputDir
                + " as your instructions describe.";
    }

    /**
     * The user's message of a run that resumes an earlier one ({@link #userPrompt}, then what is done and what is
     * left): the files restored into {@code outputDir} are final (read them where a later step needs them, never
     * rewrite them), the step to start at, and the files still to write, by name.
     *
     * @throws IllegalArgumentException for a complete plan: nothing is left, no analyzer runs
     */
    public static String userPrompt(String jobPrompt, Path repository, Path outputDir, ResumePlan plan) {
        if (plan.isComplete()) {
            throw new IllegalArgumentException("the resume plan is complete: no analyzer runs");
        }
        if (!plan.resumes()) {
            return userPrompt(jobPrompt, repository, outputDir);
        }
        List<String> lines = new ArrayList<>();
        lines.add(userPrompt(jobPrompt, repository, outputDir));
        lines.add("");
        lines.add("This run resumes an earlier one that was interrupted. These files in " + outputDir
                + " are final: read them where a later step needs them, but do not write, edit or delete them:");
        plan.kept().forEach(file -> lines.add("- " + file.path()));
        lines.add("");
        lines.add("Start at step " + plan.firstStep() + ". Still to write, as your instructions describe:");
        plan.toWrite().forEach(file -> lines.add("- " + file));
        return String.join("\n", lines);
    }
}
