package io.fondation.dryrun;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The command line that runs {@link DryRunAnalyzer} as a child process of the current JVM: the same
 * {@code java} binary and the same class path, so the offline analyzer works wherever the worker
 * runs (from the shaded jar, from an IDE, under Maven Surefire).
 */
public final class DryRunCommand {

    /** The fully qualified name of the analyzer's main class. */
    public static final String MAIN_CLASS = DryRunAnalyzer.class.getName();

    private DryRunCommand() {}

    /**
     * The argument list {@code [java, -cp, <classpath>, io.fondation.dryrun.DryRunAnalyzer,
     * analyze, <repo>, --output-dir, <outputDir>]}, with absolute paths throughout.
     *
     * @param repo the checked-out repository to analyse
     * @param outputDir where the analyzer writes its files
     */
    public static List<String> argv(Path repo, Path outputDir) {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(outputDir, "outputDir");
        List<String> argv = new ArrayList<>();
        argv.add(javaBinary());
        argv.add("-cp");
        argv.add(classPath());
        argv.add(MAIN_CLASS);
        argv.add("analyze");
        argv.add(repo.toAbsolutePath().normalize().toString());
        argv.add("--output-dir");
        argv.add(outputDir.toAbsolutePath().normalize().toString());
        return List.copyOf(argv);
    }

    /**
     * {@link #argv(Path, Path)} with {@code --steps} and the steps listed, to resume a run as the Fondation CLI does;
     * without steps, a whole run.
     *
     * @param steps the Fondation CLI's step names ({@code FondationCliCommand#stepsFrom})
     */
    public static List<String> argv(Path repo, Path outputDir, List<String> steps) {
        List<String> argv = new ArrayList<>(argv(repo, outputDir));
        if (!steps.isEmpty()) {
            argv.add("--steps");
            argv.add(String.join(",", steps));
        }
        return List.copyOf(argv);
    }

    /** The {@code java} executable of the running JVM. */
    static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Paths.get(command).getFileName().toString().startsWith("java"))
                .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java")
                        .toString());
    }

    /**
     * The running JVM's class path with every entry made absolute: the child may start in another
     * working directory (the cloned repository), where {@code java -jar worker/target/x.jar}'s
     * relative entry would not resolve.
     */
    static String classPath() {
        List<String> entries = classPathEntries().stream().map(Path::toString).toList();
        if (entries.isEmpty()) {
            throw new IllegalStateException(
                    "the JVM's class path (java.class.path) is empty; cannot start the dry-run analyzer");
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The entries of the running JVM's class path (jars and directories), absolute: what the child reads, which a
     * sandbox must let it see.
     */
    public static List<Path> classPathEntries() {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Paths.get(entry).toAbsolutePath().normalize());
            }
        }
        return entries;
    }
}
