package io.fondation.dryrun;

import java.nio.file.Path;
import java.util.Map;

/**
 * The arguments of {@code DryRunAnalyzer analyze <repo> [-o|--output-dir DIR] [--profile P]
 * [-m|--model M] [--overwrite]}, the subset of the Fondation CLI's options that matters offline.
 *
 * @param repository the repository to analyse
 * @param outputDir where to write; default {@code $CLAUDE_OUTPUT_DIR} or {@code <repo>/.claude-tutorial-output}
 * @param help whether {@code --help} was given
 */
record AnalyzeArguments(Path repository, Path outputDir, boolean help) {

    static final String USAGE = String.join(
            "\n",
            "Usage: DryRunAnalyzer analyze <repository> [--output-dir DIR] [--profile NAME] [--model NAME] [--overwrite]",
            "Writes the Fondation CLI's output layout (step1..3 YAML, chapters, reviewed chapters, tutorials)",
            "from facts read in the repository's files, offline and without a language model.");

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
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-o", "--output-dir" -> outputDir = Path.of(value(args, ++i, arg));
                case "--profile", "-m", "--model" ->
                    value(args, ++i, arg); // accepted for compatibility; no profile or model matters offline
                case "--overwrite" -> {} // files are always written afresh
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
                false);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("-")) {
            throw new IllegalArgumentException("option '" + option + "' needs a value");
        }
        return args[index];
    }
}
