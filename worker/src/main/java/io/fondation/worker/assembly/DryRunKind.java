package io.fondation.worker.assembly;

import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.dryrun.DryRunCommand;
import io.fondation.engine.analyzer.AnalyzerProgram;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The offline dry-run analyzer ({@code ANALYZER=dry-run}) as an analyzer kind of the engine: a child JVM on this
 * process's class path ({@link DryRunCommand}), which reads its class path and needs no network.
 */
final class DryRunKind implements AnalyzerProgram {

    static final DryRunKind INSTANCE = new DryRunKind();

    private DryRunKind() {}

    @Override
    public List<String> argv(Path repository, Path outputDir) {
        return DryRunCommand.argv(repository, outputDir);
    }

    @Override
    public List<String> argv(Path repository, Path outputDir, int firstStep) {
        return DryRunCommand.argv(repository, outputDir, FondationCliCommand.stepsFrom(firstStep));
    }

    /** The worker's own version: the dry-run analyzer ships in the same jar. */
    @Override
    public Optional<String> version() {
        String version = DryRunKind.class.getPackage().getImplementationVersion();
        return Optional.of("fondation-worker " + (version == null ? "development" : version));
    }

    @Override
    public List<Path> reads() {
        return DryRunCommand.classPathEntries();
    }

    @Override
    public boolean needsNetwork() {
        return false;
    }
}
