package io.fondation.dryrun;

import io.fondation.clibridge.fondation.FondationCliCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The arguments of {@code DryRunAnalyzer analyze <repo> [-o|--output-dir DIR] [--profile P]
 * [-m|--model M] [-s|--steps LIST] [--overwrite]}, the subset of the Fondation CLI's options that matters offline.
 *
 * @param repository the repository to analyse
 * @param outputDir where to write; default {@code $CLAUDE_OUTPUT_DIR} or {@code <repo>/.claude-tutorial-output}
 * @param help whether {@code --help} was given
 * @param steps the steps selected by {@code --steps}, as the comma-separated items given (the CLI's step names;
 *     unknown ones are kept: they count in the progress lines' total and run nothing); empty without the option
 */
record AnalyzeArguments(Path repository, Path outputDir, boolean help, List<String> steps) {

    /** The Fondation CLI's step names, in the order the steps run (its {@code --steps} values). */
    static final List<String> STEP_NAMES = FondationCliCommand.STEPS;

    AnalyzeArguments(Path repository, Path outputDir, boolean help) {
        this(repository, outputDir, help, List.of());
    }

    /** Whether step {@code step} (1 to 6) runs: every step without {@code --steps}, else the steps it names. */
    boolean runs(int step) {
        return steps.isEmpty() || steps.contains(STEP_NAMES.get(step - 1));
    }

    static final String USAGE = String.join(
            "\n",
            "Usage: DryRunAnalyzer analyze <repository> [--output-dir DIR] [--profile NAME] [--model NAME]"
                    + " [--steps LIST] [--overwrite]",
            "Writes the Fondation CLI's output layout (step1..3 YAML, chapters, reviewed chapters, tutorials)",
            "from facts read in the repository's files, offline and without a language model.",
            "--steps runs only the listed steps (extract,analyze,order,generate-chapters,review-chapters,"
                    + "generate-tutorials), as the Fondation CLI does: steps 4-6 keep the files that exist.");

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static AnalyzeArguments parse(String[] args, Map<String, String> env) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new AnalyzeArguments(null, null, true);
            }
        }
        if (args.length == 0 || !args[0].equals("analyze")) {
            throw new IllegalArgumentException(
                    args.length == 0
                            ? "missing command 'analyze'"
                            : "unknown command '" + args[0] + "'; expected 'analyze'");
        }
        Path repository = null;
        Path outputDir = null;
        List<String> steps = List.of();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-o", "--output-dir" -> outputDir = Path.of(value(args, ++i, arg));
                case "--profile", "-m", "--model" ->
                    value(args, ++i, arg); // accepted for compatibility; no profile or model matters offline
                case "-s", "--steps" -> steps = List.of(value(args, ++i, arg).split(",", -1));
                case "--overwrite" -> {} // as in the CLI's current version, it changes nothing
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                    }
                    if (repository != null) {
                        throw new IllegalArgumentException(
                                "unexpected argument '" + arg + "'; the repository is already '" + repository + "'");
                    }
                    repository = Path.of(arg);
                }
            }
        }
        if (repository == null) {
            throw new IllegalArgumentException("missing the repository path");
        }
        if (outputDir == null) {
            String configured = env.get("CLAUDE_OUTPUT_DIR");
            outputDir = configured != null && !configured.isBlank()
                    ? Path.of(configured)
                    : repository.resolve(".claude-tutorial-output");
        }
        return new AnalyzeArguments(
                repository.toAbsolutePath().normalize(),
                outputDir.toAbsolutePath().normalize(),
                false,
                steps);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("-")) {
            throw new IllegalArgumentException("option '" + option + "' needs a value");
        }
        return args[index];
    }
}
