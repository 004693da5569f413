package io.fondation.clibridge.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Test tokens are assembled at run time so that no token-shaped literal sits in the sources. */
class SecretRedactorTest {

    static final String GITHUB_CLASSIC = "ghp_" + "Ab1Cd2Ef3Gh4".repeat(3);
    static final String GITHUB_APP = "ghs_" + "Zz9Yy8Xx7Ww6".repeat(3);
    static final String GITHUB_FINE = "github" + "_pat_" + "11ABCDEFG0" + "_abcdefghij".repeat(4);
    static final String ANTHROPIC_KEY = "sk-ant-" + "api03-" + "Q".repeat(12) + "-w".repeat(10);
    static final String ANTHROPIC_OAUTH = "sk-ant-" + "oat01-" + "R".repeat(12) + "_v".repeat(10);
    static final String JWT = "eyJ" + "hbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiJ0ZXN0In0" + "." + "c2lnbmF0dXJlLXRlc3Q";
    static final String HEX_KEY = "0123456789abcdef".repeat(4);

    @Test
    void removesTokensWherEverTheyAppear() {
        String text = "token=" + GITHUB_CLASSIC + " app " + GITHUB_APP + " pat " + GITHUB_FINE + "\nkey "
                + ANTHROPIC_KEY + " oauth " + ANTHROPIC_OAUTH + " jwt " + JWT + " hex " + HEX_KEY;
        String redacted = SecretRedactor.redact(text);
        assertThat(redacted)
                .doesNotContain(GITHUB_CLASSIC, GITHUB_APP, GITHUB_FINE, ANTHROPIC_KEY, ANTHROPIC_OAUTH, JWT, HEX_KEY)
                .contains(SecretRedactor.MASK)
                .contains(" app ")
                .contains("\nkey ");
    }

    @Test
    void removesBearerValuesAndUrlCredentials() {
        String text = "Authorization: Bearer abc.DEF-ghi_123456789\n"
                + "fatal: could not read from https://x-access-token:" + GITHUB_APP + "@github.com/acme/app.git\n"
                + "proxy http://user:test-password@proxy.local:3128 and https://plainuser@host/x";
        String redacted = SecretRedactor.redact(text);
        assertThat(redacted)
                .doesNotContain("abc.DEF-ghi_123456789", GITHUB_APP, "test-password", "plainuser")
                .contains("https://[REDACTED]@github.com/acme/app.git")
                .contains("http://[REDACTED]@proxy.local:3128");
    }

    @Test
    void redactTokensRemovesTokenFormsButKeepsTheSettingAMessageNames() {
        String text = "cannot read the clone credentials: GITHUB_TOKEN: refused " + GITHUB_CLASSIC + " at https://bot:"
                + GITHUB_APP + "@example.test/x.git; Bearer abc.DEF-ghi_123456789";
        assertThat(SecretRedactor.redactTokens(text))
                .isEqualTo("cannot read the clone credentials: GITHUB_TOKEN: refused "
                        + "[REDACTED] at https://[REDACTED]@example.test/x.git; Bearer [REDACTED]");
        assertThat(SecretRedactor.redactTokens(null)).isEmpty();
    }

    @Test
    void removesNamedSecretsInAssignmentsAndJson() {
        String text = "CLAUDE_CODE_OAUTH_TOKEN=test-oauth-value ENCRYPTION_KEY=test-encryption-value\n"
                + "{\"api_key\": \"test-api-value\", \"password\":\"hunter22\", \"client_secret\": \"test-client\"}\n"
                + "x-api-key: test-header-value";
        String redacted = SecretRedactor.redact(text);
        assertThat(redacted)
                .doesNotContain(
                        "test-oauth-value",
                        "test-encryption-value",
                        "test-api-value",
                        "hunter22",
                        "test-client",
                        "test-header-value")
                .contains("CLAUDE_CODE_OAUTH_TOKEN=[REDACTED]");
    }

    @Test
    void leavesOrdinaryTextAndUsageCountersAlone() {
        String text = "{\"input_tokens\": 1520, \"output_tokens\":6210, \"max_tokens\": 4096}\n"
                + "Invalid API key · Fix external API key\n"
                + "OAuth token has expired. Please obtain a new token or refresh your existing token.\n"
                + "commit 3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49 at https://github.com/acme/app";
        assertThat(SecretRedactor.redact(text)).isEqualTo(text);
    }

    @Test
    void removesKnownSecretValues() {
        assertThat(SecretRedactor.redact("cloning with test-secret-value done", List.of("test-secret-value", "ab")))
                .isEqualTo("cloning with [REDACTED] done");
        assertThat(SecretRedactor.redact(null)).isEmpty();
    }
}
