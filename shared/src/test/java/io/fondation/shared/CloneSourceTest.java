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

    @Test
    void credentialsInAUrlAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> CloneSource.ofUrl("https://user:secret123@git.example.test/x.git", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain credentials")
                .hasMessageContaining("'https://git.example.test/x.git'")
                .hasMessageContaining("GITHUB_TOKEN")
                .hasMessageNotContaining("secret123")
                .hasMessageNotContaining("user:secret");
        assertThatThrownBy(() -> CloneSource.ofUrl("https://ghp_abc@git.example.test/x.git", null))
                .hasMessageNotContaining("ghp_abc");
    }

    @Test
    void aTokenShapedStringAnywhereInTheRepositoryIsRefusedAsCredentials() {
        String token = "ghp_" + "FAKE0123456789abcdefFAKE";
        for (String url : new String[] {
            "http://127.0.0.1:1/" + token + "/x.git",
            "https://git.example.test/x.git?access=" + token,
            "https://" + token + ".git.example.test/x.git",
            "/srv/repos/" + token
        }) {
            assertThatThrownBy(() -> CloneSource.ofUrl(url, null))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the repository URL must not contain credentials")
                    .hasMessageContaining("GITHUB_TOKEN")
                    .hasMessageNotContaining(token);
        }
        assertThatThrownBy(() -> CloneSource.ofFullName(token + "/x", null))
                .hasMessageStartingWith("the repository URL must not contain credentials")
                .hasMessageNotContaining(token);
        assertThat(CloneSource.ofUrl("https://github.com/ghp-tools/ghp_short", null)
                        .url())
                .as("a name that only starts like a token is a name")
                .isEqualTo("https://github.com/ghp-tools/ghp_short");
    }

    @Test
    void hostileUrlsAreRefusedWithAClearReason() {
        assertThatThrownBy(() -> CloneSource.ofUrl("ext::sh -c touch% /tmp/pwned", null))
                .hasMessageContaining("scheme 'ext' is not supported");
        assertThatThrownBy(() -> CloneSource.ofUrl("ftp://git.example.test/x.git", null))
                .hasMessageContaining("scheme 'ftp' is not supported");
        assertThatThrownBy(() -> CloneSource.ofUrl("git@github.com:acme/x.git", null))
                .hasMessageContaining("ssh address");
        assertThatThrownBy(() -> CloneSource.ofUrl("--upload-pack=touch /tmp/pwned", null))
                .hasMessageContaining("looks like a command-line option");
        assertThatThrownBy(() -> CloneSource.ofUrl("https://git.example.test/" + "a".repeat(5_000), null))
                .hasMessageContaining("5025 characters long");
        assertThatThrownBy(() -> CloneSource.ofUrl("https://git.example.test/x\n.git", null))
                .hasMessageContaining("control characters");
        assertThat(CloneSource.ofUrl("https://git.example.test/x.git;rm -rf /", null)
                        .url())
                .as("shell metacharacters are harmless: commands are argument lists")
                .isEqualTo("https://git.example.test/x.git;rm -rf /");
        assertThat(CloneSource.ofUrl("file:///srv/repo", null).url()).isEqualTo("file:///srv/repo");
    }
}
