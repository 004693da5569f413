package io.fondation.engine.analyzer;

import java.nio.file.Path;
import java.util.List;

/**
 * An analyzer that is a program the application brings along (the offline dry-run analyzer, {@code ANALYZER=dry-run}):
 * the application registers it with the {@link AnalyzerLauncher} for its {@link AnalyzerSettings.Kind}, and the
 * engine starts it as any other analyzer, in the sandbox, knowing of it only what this interface says.
 */
public interface AnalyzerProgram {

    /**
     * The argument list that analyses {@code repository} into {@code outputDir}.
     *
     * @param repository the cloned repository (absolute)
     * @param outputDir where the program writes the Fondation CLI's output layout
     */
    List<String> argv(Path repository, Path outputDir);

    /**
     * What the program reads besides the repository (its class path, say): a sandbox shows these read-only even
     * inside a hidden directory.
     */
    List<Path> reads();

    /**
     * Whether the program needs the network. One that does not runs in a sandbox without it, so that a repository
     * steering it has nowhere to send what it reads.
     */
    boolean needsNetwork();

    /**
     * The argument list that resumes an analysis of {@code repository} whose output directory holds the files of
     * steps before {@code firstStep} (and, for steps 4 to 6, the files the program keeps as they are). By default a
     * program cannot resume: only {@code firstStep} 1 is accepted, as a whole run.
     *
     * @param firstStep 1 to 6
     */
    default List<String> argv(Path repository, Path outputDir, int firstStep) {
        if (firstStep != 1) {
            throw new UnsupportedOperationException("this program cannot resume at step " + firstStep);
        }
        return argv(repository, outputDir);
    }

    /**
     * The program's version, part of a checkpoint's basis: a checkpoint made by another version is not resumed from.
     * Empty when the program cannot resume (the default).
     */
    default java.util.Optional<String> version() {
        return java.util.Optional.empty();
    }
}
