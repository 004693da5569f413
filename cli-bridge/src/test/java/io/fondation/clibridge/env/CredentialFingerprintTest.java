package io.fondation.clibridge.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.claude.ClaudeCredentials;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CredentialFingerprintTest {

    /** What the Convex functions accept as a credential (convex/lib/pauses.ts). */
    private static final Pattern QUEUE_FORMAT = Pattern.compile("^[a-z0-9]{2,16}:[0-9a-f]{16,64}$");

    private static final String KEY = "sk-ant-FAKE-key";

    @Test
    void aKnownAnswerComputedElsewhere() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'fondation-llm-credential-v1\nFAKE').hexdigest()[:32])"
        assertThat(CredentialFingerprint.of("FAKE")).isEqualTo("sha256:287d39294493591825734494b205660c");
        assertThat(CredentialFingerprint.of(KEY)).isEqualTo("sha256:6b15e858147a4b79dd77afa04e874bd2");
    }

    @Test
    void theSameCredentialGivesTheSameFingerprintAndAnotherOneAnother() {
        assertThat(CredentialFingerprint.of(KEY)).isEqualTo(CredentialFingerprint.of(KEY + "\n"));
        assertThat(CredentialFingerprint.of(KEY)).isNotEqualTo(CredentialFingerprint.of(KEY + "2"));
        assertThat(CredentialFingerprint.of(KEY)).matches(QUEUE_FORMAT);
    }

    @Test
    void theFingerprintRevealsNothingOfTheSecret() {
        String fingerprint = CredentialFingerprint.of(KEY);
        for (int i = 0; i + 4 <= KEY.length(); i++) {
            assertThat(fingerprint).doesNotContain(KEY.substring(i, i + 4));
        }
        assertThatThrownBy(() -> CredentialFingerprint.of("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("  ");
    }

    @Test
    void claudesFingerprintNamesTheCredentialVariablesItRunsWith() {
        Map<String, String> apiKey = Map.of("ANTHROPIC_API_KEY", KEY, "HOME", "/home/a");
        Map<String, String> sameKeyElsewhere = Map.of("ANTHROPIC_API_KEY", KEY, "HOME", "/home/b", "PATH", "/bin");
        Map<String, String> oauth = Map.of("CLAUDE_CODE_OAUTH_TOKEN", KEY);

        assertThat(ClaudeCredentials.fingerprint(apiKey)).isEqualTo(ClaudeCredentials.fingerprint(sameKeyElsewhere));
        assertThat(ClaudeCredentials.fingerprint(apiKey)).get().asString().matches(QUEUE_FORMAT);
        // The variable is part of what is fingerprinted.
        assertThat(ClaudeCredentials.fingerprint(oauth)).isNotEqualTo(ClaudeCredentials.fingerprint(apiKey));
        assertThat(ClaudeCredentials.fingerprint(Map.of("HOME", "/home/a"))).isEmpty();
        assertThat(ClaudeCredentials.fingerprint(Map.of("ANTHROPIC_API_KEY", " ")))
                .isEmpty();
    }
}
