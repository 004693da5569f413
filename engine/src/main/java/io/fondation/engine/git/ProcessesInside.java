package io.fondation.engine.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and kills processes whose working directory lies inside a folder (Linux, through {@code /proc/<pid>/cwd}):
 * the analyzers a worker killed with {@code kill -9} may have left running in its workspaces. Everywhere else it
 * finds nothing. Only processes of this user are visible and killable.
 */
final class ProcessesInside {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessesInside.class);
    private static final Path PROC = Path.of("/proc");
    private static final Duration DEATH_WAIT = Duration.ofSeconds(5);

    private ProcessesInside() {}

    /**
     * Kills (SIGKILL) every process working inside {@code folder}, with its descendants, and waits briefly for
     * them to die.
     *
     * @return how many processes were killed
     */
    static int kill(Path folder) {
        Path real;
        try {
            real = folder.toRealPath();
        } catch (IOException e) {
            return 0;
        }
        if (!Files.isDirectory(PROC)) {
            return 0;
        }
        List<ProcessHandle> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().forEach(process -> {
            if (process.pid() != self && workingInside(process.pid(), real)) {
                found.add(process);
            }
        });
        List<ProcessHandle> victims = new ArrayList<>(found);
        for (ProcessHandle process : found) {
            process.descendants().forEach(victims::add);
        }
        for (ProcessHandle process : victims) {
            process.destroyForcibly();
        }
        for (ProcessHandle process : victims) {
            try {
                process.onExit().get(DEATH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("process {} in {} did not die within {} s", process.pid(), real, DEATH_WAIT.toSeconds());
            }
        }
        if (!victims.isEmpty()) {
            LOG.warn("killed {} process(es) left running in {} by a worker that died", victims.size(), real);
        }
        return victims.size();
    }

    private static boolean workingInside(long pid, Path folder) {
        try {
            return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd"))
                    .startsWith(folder);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // gone, or another user's
        }
    }
}
