package io.fondation.worker.git;

import io.fondation.shared.CloneSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prints how long shallow clones of local repositories take, cold and warm (./mvnw -Pbenchmarks). */
@Tag("benchmark")
class CloneBenchmarkTest {

    @TempDir
    Path temp;

    @Test
    void cloneTimes() {
        RepositoryCloner cloner = new RepositoryCloner("https://github.com", null, Duration.ofMinutes(1));
        for (int files : new int[] {200, 3000}) {
            Path origin = TestRepositories.withFiles(temp.resolve("origin-" + files), files);
            List<Long> millis = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                Path target = temp.resolve("clone-" + files + "-" + run);
                ClonedRepository clone = cloner.clone(CloneSource.ofUrl(origin.toString(), null), target, () -> false);
                millis.add(clone.duration().toMillis());
                new JobWorkspace(target).delete();
            }
            List<Long> sorted = new ArrayList<>(millis);
            sorted.sort(null);
            System.out.printf(
                    "BENCHMARK clone of a local repository with %d files: runs %s ms, median %d ms%n",
                    files, millis, sorted.get(sorted.size() / 2));
        }
    }
}
