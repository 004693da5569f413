package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.shared.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GitHubTokenCipherTest {

    private static final String TOKEN = "gh-test-token";
    private static final String OTHER_KEY = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    @Test
    void decryptsTheWebAppsAesGcmFormat() {
        String stored = TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY);
        assertThat(stored).startsWith("enc_v1_").doesNotContain(TOKEN);

        assertThat(GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).reveal(stored))
                .contains(TOKEN);
    }

    @Test
    void decryptsAVectorMadeByNodeCrypto() {
        // node -e: crypto.createCipheriv("aes-256-gcm", TEST_KEY, iv 000102..0f), update("gh-test-token"),
        // "enc_v1_" + iv.hex + ":" + getAuthTag().hex + ":" + ciphertext.hex
        String stored =
                "enc_v1_000102030405060708090a0b0c0d0e0f:faed89a18c810cb81e9d4cc07e81d340:83e9acedbac45d11d1014b5031";

        assertThat(GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).reveal(stored))
                .contains(TOKEN);
    }

    @Test
    void readsObfuscatedAndPlainTokens() {
        GitHubTokenCipher cipher = GitHubTokenCipher.withKey(null);
        String obfuscated = "obf_" + Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8));

        assertThat(cipher.reveal(obfuscated)).contains(TOKEN);
        assertThat(cipher.reveal(TOKEN)).contains(TOKEN);
        assertThat(cipher.reveal(null)).isEmpty();
        assertThat(cipher.reveal("  ")).isEmpty();
    }

    @Test
    void anEncryptedTokenWithoutAKeyNamesTheSetting() {
        String stored = TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY);

        assertThatThrownBy(() -> GitHubTokenCipher.withKey(null).reveal(stored))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("ENCRYPTION_KEY"))
                .hasMessageContaining("is not set");
    }

    @Test
    void theWrongKeyIsReportedWithoutLeakingAnything() {
        String stored = TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY);

        assertThatThrownBy(() -> GitHubTokenCipher.withKey(OTHER_KEY).reveal(stored))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ENCRYPTION_KEY")
                .hasMessageContaining("tag mismatch")
                .hasMessageNotContaining(OTHER_KEY)
                .hasMessageNotContaining(stored);
    }

    @Test
    void aTamperedTokenIsRefused() {
        String stored = TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY);
        char last = stored.charAt(stored.length() - 1);
        String tampered = stored.substring(0, stored.length() - 1) + (last == '0' ? '1' : '0');

        assertThatThrownBy(() ->
                        GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).reveal(tampered))
                .isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() ->
                        GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).reveal("enc_v1_zz:00:00"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hexadecimal");
        assertThatThrownBy(() ->
                        GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).reveal("enc_v1_0011"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("enc_v1_<iv>:<tag>:<ciphertext>");
    }

    @Test
    void malformedKeysAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> GitHubTokenCipher.withKey("abc"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(
                        "ENCRYPTION_KEY: must be 64 hexadecimal characters (a 32-byte AES-256 key), got 3 characters");
        assertThatThrownBy(() -> GitHubTokenCipher.withKey("z".repeat(64)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not all hexadecimal")
                .hasMessageNotContaining("zzzz");
        assertThat(GitHubTokenCipher.withKey(TokenEncryption.TEST_KEY).toString())
                .doesNotContain("0011");
    }
}
