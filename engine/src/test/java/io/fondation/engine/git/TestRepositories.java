package io.fondation.engine.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/** Git repositories built by tests with JGit: real commits, branches and tags on disk. */
public final class TestRepositories {

    private static final PersonIdent AUTHOR = new PersonIdent("Test Author", "author@example.test");

    private TestRepositories() {}

    /**
     * A repository on {@code trunk} (its default branch) with two commits, a {@code feature} branch
     * that stops after the first, a tag, and a {@code .gitattributes} with {@code * text=auto}.
     */
    public static Path sample(Path dir) {
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("trunk").call()) {
            write(dir, ".gitattributes", "* text=auto\n");
            write(dir, "README.md", "# Sample\r\nA line with CRLF.\r\n");
            write(dir, "src/main.py", "def main():\n    print('hello')\n");
            commit(git, "first commit");
            git.branchCreate().setName("feature").call();
            git.tag().setName("v1").setAnnotated(false).setSigned(false).call();
            write(dir, "src/util.py", "def helper():\n    return 42\n");
            commit(git, "second commit");
            git.checkout().setName("feature").call();
            write(dir, "src/feature.py", "FLAG = True\n");
            commit(git, "feature work");
            git.checkout().setName("trunk").call();
            return dir;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Packs {@code dir}'s objects (JGit's gc), as a hosted repository's are: a clone then sends a pack instead of
     * compressing every loose object again, which halves the git command's CPU per clone of a tiny repository.
     *
     * @return {@code dir}
     */
    public static Path packed(Path dir) {
        try (Git git = Git.open(dir.toFile())) {
            git.gc().call();
            return dir;
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A git host on disk for {@code GIT_BASE_URL}: a bare copy of {@code origin} at
     * {@code hosting/<fullName>.git}, so that {@code owner/name} jobs clone from {@code hosting.toUri()}.
     *
     * @return {@code hosting}
     */
    public static Path hosting(Path origin, Path hosting, String fullName) {
        try {
            Git.cloneRepository()
                    .setURI(origin.toString())
                    .setDirectory(hosting.resolve(fullName + ".git").toFile())
                    .setBare(true)
                    .call()
                    .close();
            return hosting;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A repository with no commit at all. */
    public static Path empty(Path dir) {
        try {
            Git.init()
                    .setDirectory(dir.toFile())
                    .setInitialBranch("main")
                    .call()
                    .close();
            return dir;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A repository with {@code files} generated files in one commit (for timing figures). */
    public static Path withFiles(Path dir, int files) {
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            for (int i = 0; i < files; i++) {
                write(
                        dir,
                        "pkg" + (i % 20) + "/File" + i + ".java",
                        "class File" + i + " {\n    int value() { return " + i + "; }\n}\n");
            }
            commit(git, "many files");
            return dir;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void write(Path repo, String relative, String content) {
        try {
            Path file = repo.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void commit(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.commit()
                .setMessage(message)
                .setAuthor(AUTHOR)
                .setCommitter(AUTHOR)
                .setSign(false)
                .call();
    }
}
