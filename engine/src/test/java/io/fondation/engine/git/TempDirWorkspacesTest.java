package io.fondation.engine.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.CloneSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirWorkspacesTest {

    @TempDir
    Path temp;

    @Test
    void workspacesArePrivatePerWorkerAndPerJob() throws IOException {
        TempDirWorkspaces workspaces = new TempDirWorkspaces(temp.resolve("tmp"), "worker/../1");
        JobWorkspace first = workspaces.create("job 1");
        JobWorkspace second = workspaces.create("job 1");

        assertThat(workspaces.root()).isEqualTo(temp.resolve("tmp").resolve("worker_.._1"));
        assertThat(first.root().getParent()).isEqualTo(workspaces.root());
        assertThat(first.root()).isNotEqualTo(second.root());
        assertThat(first.root().getFileName().toString()).startsWith("job_1-");
        assertThat(first.outputDir()).isDirectory();
        assertThat(first.repositoryDir()).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.root())))
                .isEqualTo("rwx------");
    }

    @Test
    void deleteRemovesAClonedRepositoryWithReadOnlyFilesAndDirectories() throws IOException {
        Path origin = TestRepositories.sample(temp.resolve("origin"));
        JobWorkspace workspace = new TempDirWorkspaces(temp.resolve("tmp"), "w1").create("job");
        new RepositoryCloner("https://github.com", null, Duration.ofSeconds(10))
                .clone(CloneSource.ofUrl(origin.toString(), null), workspace.repositoryDir(), () -> false);
        Path readOnlyDir = Files.createDirectories(workspace.outputDir().resolve("locked"));
        Files.writeString(readOnlyDir.resolve("file.md"), "x");
        Files.setPosixFilePermissions(readOnlyDir.resolve("file.md"), PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(readOnlyDir, PosixFilePermissions.fromString("r-x------"));
        Files.createSymbolicLink(workspace.outputDir().resolve("link-to-origin"), origin);

        assertThat(workspace.delete()).isTrue();

        assertThat(workspace.root()).doesNotExist();
        // the symbolic link was removed, not followed
        assertThat(origin.resolve("README.md")).exists();
    }

    @Test
    void deleteIsHarmlessTwice() throws IOException {
        JobWorkspace workspace = new TempDirWorkspaces(temp, "w").create("j");
        assertThat(workspace.delete()).isTrue();
        assertThat(workspace.delete()).isTrue();
    }

    @Test
    void staleWorkspacesOfTheSameWorkerAreDeletedButNotThoseOfOthers() throws IOException {
        TempDirWorkspaces mine = new TempDirWorkspaces(temp, "w1");
        TempDirWorkspaces theirs = new TempDirWorkspaces(temp, "w2");
        Path leftover = mine.create("old").root();
        Files.writeString(leftover.resolve("output/x.md"), "x");
        Path other = theirs.create("running").root();

        assertThat(mine.deleteStale()).isEqualTo(1);

        assertThat(leftover).doesNotExist();
        assertThat(other).exists();
    }

    @Test
    void workersStartingTogetherNeverTakeEachOthersFreshFolderForADeadWorkers() throws Exception {
        // why: a starting worker probes every folder's lock; before the gate, a probe landing between a neighbour's
        // creating its lock file and locking it made the neighbour refuse to start ("another running worker").
        int workers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int round = 0; round < 150; round++) {
                Path tempDir = temp.resolve("round-" + round);
                CyclicBarrier start = new CyclicBarrier(workers);
                List<TempDirWorkspaces> started = new ArrayList<>();
                List<Future<Integer>> outcomes = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    TempDirWorkspaces workspaces = new TempDirWorkspaces(tempDir, "w" + w);
                    started.add(workspaces);
                    outcomes.add(pool.submit(() -> {
                        start.await();
                        return workspaces.deleteStale();
                    }));
                }
                for (Future<Integer> outcome : outcomes) {
                    assertThat(outcome.get(10, TimeUnit.SECONDS))
                            .as("round " + round)
                            .isZero();
                }
                for (TempDirWorkspaces workspaces : started) {
                    assertThat(workspaces.root().resolve(TempDirWorkspaces.LOCK_FILE))
                            .as("round " + round + ": each folder kept by its live worker")
                            .exists();
                    workspaces.close();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
