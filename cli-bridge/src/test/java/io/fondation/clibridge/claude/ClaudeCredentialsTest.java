package io.fondation.clibridge.claude;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void namesTheSourcesPresentButNeverTheirValues() throws Exception {
        Map<String, String> env =
                Map.of("ANTHROPIC_API_KEY", "sk-ant-FAKE", "CLAUDE_CODE_OAUTH_TOKEN", " ", "PATH", "/usr/bin");
        assertThat(ClaudeCredentials.sources(env, dir)).containsExactly("ANTHROPIC_API_KEY");
        assertThat(ClaudeCredentials.secretValues(env)).containsExactly("sk-ant-FAKE");

        Files.writeString(dir.resolve(".credentials.json"), "{}");
        assertThat(ClaudeCredentials.sources(Map.of(), dir))
                .containsExactly(dir.resolve(".credentials.json").toString());
        assertThat(ClaudeCredentials.sources(Map.of(), null)).isEmpty();
    }
}
