package io.fondation.dryrun;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The offline analyzer behind {@code --dry-run}: a stand-in for the Fondation CLI that needs no
 * network and no LLM. Run as a child process (see {@link DryRunCommand}), it walks the checked-out
 * repository and writes the CLI's output layout from what it finds there (directories, files,
 * sizes, README lines, imports), printing the CLI's six progress lines. Every file it writes says
 * it was generated offline. Exit code 0 on success; 1 with {@code "Analysis failed"} on stdout and
 * the reason on stderr otherwise.
 */
public final class DryRunAnalyzer {

    private DryRunAnalyzer() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err, Clock.systemUTC(), Terminals.isTerminal());
        System.exit(code);
    }

    /**
     * Runs an analysis.
     *
     * @return the exit code: 0 when the output was written, 1 otherwise
     */
    static int run(
            String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock, boolean terminal) {
        AnalyzeArguments arguments;
        try {
            arguments = AnalyzeArguments.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("fondation-dry-run: " + e.getMessage());
            err.println(AnalyzeArguments.USAGE);
            return 1;
        }
        if (arguments.help()) {
            out.println(AnalyzeArguments.USAGE);
            return 0;
        }
        StepReporter reporter =
                new StepReporter(out, clock, terminal, arguments.steps().size());
        try {
            analyze(arguments, reporter);
            return 0;
        } catch (RuntimeException | IOException e) {
            String message = e instanceof UncheckedIOException u ? u.getCause().toString() : e.getMessage();
            err.println("fondation-dry-run: analysis of " + arguments.repository() + " failed: " + message);
            reporter.failed();
            return 1;
        }
    }

    private static void analyze(AnalyzeArguments arguments, StepReporter reporter) throws IOException {
        Path repository = arguments.repository();
        if (!Files.isDirectory(repository)) {
            throw new IllegalArgumentException("repository " + repository + " is not a directory");
        }
        Files.createDirectories(arguments.outputDir());
        // why: under --steps, as the Fondation CLI, steps 4 to 6 keep the files that exist (a resumed run's)
        DryRunOutputWriter writer =
                new DryRunOutputWriter(arguments.outputDir(), !arguments.steps().isEmpty());
        // why: the analysis is a pure function of the repository, so a step not run is computed all the same (what
        // the CLI reads back from the earlier steps' files is what this would compute from the same commit)
        if (arguments.runs(1)) {
            reporter.step(1);
        }
        RepositoryInventory inventory =
                new RepositoryScanner(ScanLimits.DEFAULT).scan(repository, arguments.outputDir());
        List<Topic> abstractions = new TopicBuilder().build(inventory);
        if (arguments.runs(1)) {
            writer.abstractions(abstractions);
        }
        reporter.info("Found " + abstractions.size() + " abstractions in "
                + inventory.files().size() + " text files; skipped "
                + inventory.skippedBinary() + " binary and " + inventory.skippedUnreadable() + " unreadable files, "
                + inventory.skippedDirectories().size() + " directories (VCS, build outputs, dependencies)"
                + (inventory.limitReached() ? "; scan limits reached, the rest of the repository was not read" : ""));

        List<Link> relationships = new LinkFinder(inventory, abstractions).find();
        if (arguments.runs(2)) {
            reporter.step(2);
            writer.relationships(abstractions, relationships);
        }
        ChapterPlan plan = new ChapterOrderPlanner().plan(abstractions, relationships);
        if (arguments.runs(3)) {
            reporter.step(3);
            writer.order(plan);
        }

        Course course = new Course(inventory, abstractions, relationships, plan);
        ChapterRenderer chapters = new ChapterRenderer(course);
        if (arguments.runs(4)) {
            reporter.step(4);
            writer.chapters(plan, chapters);
        }
        if (arguments.runs(5)) {
            reporter.step(5);
            writer.reviewedChapters(plan, chapters);
        }
        if (arguments.runs(6)) {
            reporter.step(6);
            writer.tutorials(plan, new TutorialRenderer(course));
        }
        reporter.info("Analysis complete: " + plan.chapters().size() + " chapters and tutorials written to "
                + arguments.outputDir());
    }
}
