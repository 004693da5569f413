package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CloneSourceTest {

    @Test
    void fullNameResolvesAgainstBaseUrl() {
        CloneSource source = CloneSource.ofFullName("octo/hello", "main");
        assertThat(source.cloneUrl("https://git.example.test/")).isEqualTo("https://git.example.test/octo/hello.git");
        assertThat(source.describe()).isEqualTo("octo/hello (main)");
    }

    @Test
    void urlIsUsedAsIs() {
        assertThat(CloneSource.ofUrl("/tmp/repo", null).cloneUrl("https://ignored"))
                .isEqualTo("/tmp/repo");
    }

    @Test
    void dangerousBranchesAreRefused() {
        assertThatThrownBy(() -> CloneSource.ofUrl("/r", "--upload-pack=evil")).hasMessageContaining("--upload-pack");
        assertThatThrownBy(() -> CloneSource.ofUrl("/r", "a b")).hasMessageContaining("not a valid git branch");
        assertThatThrownBy(() -> CloneSource.ofUrl("/r", "a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CloneSource.ofUrl("/r", "feature/x-1.2").branch()).isEqualTo("feature/x-1.2");
    }

    @Test
    void exactlyOneOfUrlAndName() {
        assertThatThrownBy(() -> new CloneSource("/r", "a/b", null)).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> CloneSource.ofFullName("not-a-name", null)).hasMessageContaining("owner/name");
    }
}
