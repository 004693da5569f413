package io.fondation.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.worker.logging.LogRedaction;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every secret the worker reads (the catalog's) is masked in logs, and none but the LLM credentials the analyzer
 * needs can ever reach the analyzer: a new secret added to the catalog alone fails here until both lists know it.
 */
class SecretVariablesTest {

    /** The analyzer's own credentials: passed to it on purpose, and only to it. */
    private static final Set<String> FOR_THE_ANALYZER =
            Set.of("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN");

    private static List<String> catalogSecrets() {
        return ConfigVariables.all().stream()
                .filter(ConfigVariable::secret)
                .map(ConfigVariable::name)
                .toList();
    }

    @Test
    void everyCatalogSecretIsMaskedInLogs() {
        assertThat(LogRedaction.SECRET_VARIABLES).containsAll(catalogSecrets());
    }

    @Test
    void noWorkerSecretCanBePassedToTheAnalyzer() {
        for (String name : catalogSecrets()) {
            if (FOR_THE_ANALYZER.contains(name)) {
                continue;
            }
            assertThatThrownBy(() -> EnvironmentPolicy.defaults().withExtras(List.of(name)))
                    .as(name)
                    .hasMessageContaining("never passed");
        }
    }
}
