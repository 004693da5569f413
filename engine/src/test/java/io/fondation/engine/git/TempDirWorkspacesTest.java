package io.fondation.engine.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.CloneSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
}
