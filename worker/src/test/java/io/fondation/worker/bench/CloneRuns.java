package io.fondation.worker.bench;

import io.fondation.engine.git.FileTrees;
import io.fondation.engine.git.GitClient;
import io.fondation.engine.git.RepositoryCloner;
import io.fondation.shared.CloneSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A fresh JVM that clones one URL several times with one client and prints each duration ({@code RUN <ms>}) and its
 * own peak RSS ({@code HWM <KiB>}): the first run is what a newly started worker pays.
 * Usage: {@code CloneRuns <JGIT|CLI> <url> <runs> <scratch dir>}.
 */
public final class CloneRuns {

    private CloneRuns() {}

    public static void main(String[] args) throws IOException {
        GitClient client = GitClient.valueOf(args[0]);
        String url = args[1];
        int runs = Integer.parseInt(args[2]);
        Path scratch = Path.of(args[3]);
        RepositoryCloner cloner = new RepositoryCloner("https://github.com", null, Duration.ofMinutes(2)).using(client);
        for (int run = 0; run < runs; run++) {
            Path target = scratch.resolve("run-" + run);
            long started = System.nanoTime();
            cloner.clone(CloneSource.ofUrl(url, null), target, () -> false);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("RUN " + millis);
            FileTrees.deleteRecursively(target);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("HWM " + line.replaceAll("\\D", ""));
            }
        }
    }
}
