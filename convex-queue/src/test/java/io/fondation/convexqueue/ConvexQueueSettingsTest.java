package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.shared.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvexQueueSettingsTest {

    @Test
    void readsTheEnvironmentAndNeverPrintsSecrets() {
        ConvexQueueSettings settings = ConvexQueueSettings.fromEnvironment(Map.of(
                "CONVEX_URL", " https://happy-otter-123.convex.cloud ",
                "CONVEX_DEPLOY_KEY", "deploy-key-for-test",
                "FONDATION_WORKER_SECRET", "test-secret",
                "ENCRYPTION_KEY", TokenEncryption.TEST_KEY));

        assertThat(settings.url()).isEqualTo("https://happy-otter-123.convex.cloud");
        assertThat(settings.deployKey()).isEqualTo("deploy-key-for-test");
        assertThat(settings.workerSecret()).isEqualTo("test-secret");
        assertThat(settings.toString())
                .contains("happy-otter-123")
                .doesNotContain("deploy-key-for-test")
                .doesNotContain("test-secret")
                .doesNotContain(TokenEncryption.TEST_KEY);
    }

    @Test
    void missingOrMalformedSettingsAreNamed() {
        assertThatThrownBy(() -> ConvexQueueSettings.fromEnvironment(Map.of()))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("CONVEX_URL"))
                .hasMessageContaining("is required");
        assertThatThrownBy(() -> ConvexQueueSettings.of("happy-otter-123.convex.cloud"))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("CONVEX_URL"))
                .hasMessageContaining("http(s)");
        assertThatThrownBy(
                        () -> ConvexQueueSettings.of("https://x.convex.cloud").withEncryptionKey("short"))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("ENCRYPTION_KEY"));
    }

    @Test
    void blankSecretsMeanNone() {
        ConvexQueueSettings settings = ConvexQueueSettings.of("http://127.0.0.1:3210")
                .withDeployKey(" ")
                .withWorkerSecret("");
        assertThat(settings.deployKey()).isNull();
        assertThat(settings.workerSecret()).isNull();
        assertThat(settings.maxAttempts()).isEqualTo(ConvexQueueSettings.DEFAULT_MAX_ATTEMPTS);
    }
}
