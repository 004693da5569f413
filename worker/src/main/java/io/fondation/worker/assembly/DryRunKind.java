package io.fondation.worker.assembly;

import io.fondation.dryrun.DryRunCommand;
import io.fondation.engine.analyzer.AnalyzerProgram;
import java.nio.file.Path;
import java.util.List;

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
    public List<Path> reads() {
        return DryRunCommand.classPathEntries();
    }

    @Override
    public boolean needsNetwork() {
        return false;
    }
}
