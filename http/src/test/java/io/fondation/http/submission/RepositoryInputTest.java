package io.fondation.http.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryInputTest {

    @TempDir
    Path dir;

    @Test
    void acceptsTheFormsOfSubmit() {
        assertThat(RepositoryInput.parse("https://github.com/o/r.git", "main", false)
                        .url())
                .isEqualTo("https://github.com/o/r.git");
        assertThat(RepositoryInput.parse("owner/name", null, false).fullName()).isEqualTo("owner/name");
        assertThat(RepositoryInput.parse("owner/name.git", null, false).fullName())
                .isEqualTo("owner/name");
        assertThat(RepositoryInput.parse(dir.toString(), null, true).url()).isEqualTo(dir.toString());
    }

    @Test
    void refusesWhatSubmitRefusesAndLocalPathsWhenNotAllowed() {
        assertThatThrownBy(() -> RepositoryInput.parse("https://x-access-token:ghp_fake@github.com/o/r", null, false))
                .hasMessageContaining("GITHUB_TOKEN")
                .hasMessageNotContaining("ghp_fake");
        assertThatThrownBy(() -> RepositoryInput.parse(dir.toString(), null, false))
                .hasMessageContaining("ALLOW_LOCAL_REPOSITORIES is false");
        assertThatThrownBy(() -> RepositoryInput.parse("file://" + dir, null, false))
                .hasMessageContaining("ALLOW_LOCAL_REPOSITORIES is false");
        assertThatThrownBy(() -> RepositoryInput.parse(dir.resolve("missing").toString(), null, true))
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> RepositoryInput.parse("git@github.com:o/r.git", null, false))
                .hasMessageContaining("ssh address");
        assertThatThrownBy(() -> RepositoryInput.parse("ext::sh", null, false)).hasMessageContaining("not supported");
        assertThatThrownBy(() -> RepositoryInput.parse("--upload-pack=x", null, false))
                .hasMessageContaining("command-line option");
        assertThatThrownBy(() -> RepositoryInput.parse("a b", null, false))
                .hasMessageContaining("not a URL, owner/name or absolute path");
        assertThatThrownBy(() -> RepositoryInput.parse("owner/name", "-x", false))
                .hasMessageContaining("branch");
    }
}
