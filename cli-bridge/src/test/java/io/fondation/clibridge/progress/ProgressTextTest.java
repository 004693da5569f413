package io.fondation.clibridge.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Progress;
import org.junit.jupiter.api.Test;

class ProgressTextTest {

    @Test
    void frenchTextIsWhatTheWebUiShows() {
        ProgressParser parser = new ProgressParser();
        String[] expected = {
            "Étape 1/6: Extraction des abstractions principales",
            "Étape 2/6: Analyse des relations entre composants",
            "Étape 3/6: Détermination de l'ordre optimal des chapitres",
            "Étape 4/6: Génération du contenu des chapitres",
            "Étape 5/6: Révision et amélioration des chapitres",
            "Étape 6/6: Génération de tutoriels interactifs",
        };
        for (int step = 1; step <= 6; step++) {
            Progress p = parser.parse("{\"msg\":\"[FONDATION_STEP_" + step + "/6] "
                            + ProgressText.ENGLISH_STEPS.get(step - 1) + "\"}")
                    .orElseThrow();
            assertThat(ProgressText.describe(p, ProgressLanguage.FRENCH)).isEqualTo(expected[step - 1]);
        }
    }

    @Test
    void englishByConfiguration() {
        Progress p = new Progress(2, 6, "Analyzing relationships between components");
        assertThat(ProgressText.describe(p, ProgressLanguage.fromConfig("en")))
                .isEqualTo("Step 2/6: Analyzing relationships between components");
        assertThat(ProgressText.describe(new Progress(2, 6, ""), ProgressLanguage.ENGLISH))
                .isEqualTo("Step 2/6: Analyzing relationships between components");
    }

    @Test
    void unknownMessagesFallBackToTheParsedMessage() {
        assertThat(ProgressText.describe(new Progress(4, 6, "chapter 3 of 9"), ProgressLanguage.FRENCH))
                .isEqualTo("Étape 4/6: chapter 3 of 9");
        assertThat(ProgressText.describe(new Progress(2, 3, "custom"), ProgressLanguage.FRENCH))
                .isEqualTo("Étape 2/3: custom");
        assertThat(ProgressText.describe(new Progress(0, 1, "Write: docs/intro.md"), ProgressLanguage.FRENCH))
                .isEqualTo("Write: docs/intro.md");
        assertThat(ProgressText.describe(new Progress(0, 6, ""), ProgressLanguage.FRENCH))
                .isEqualTo("Démarrage de l'analyse");
    }

    @Test
    void ttyPhaseNamesAloneAreKnownSteps() {
        assertThat(ProgressText.describe(new Progress(1, 6, "Extract"), ProgressLanguage.FRENCH))
                .isEqualTo("Étape 1/6: Extraction des abstractions principales");
    }

    @Test
    void languageSettings() {
        assertThat(ProgressLanguage.fromConfig(null)).isEqualTo(ProgressLanguage.FRENCH);
        assertThat(ProgressLanguage.fromConfig(" ")).isEqualTo(ProgressLanguage.FRENCH);
        assertThat(ProgressLanguage.fromConfig("fr_FR")).isEqualTo(ProgressLanguage.FRENCH);
        assertThat(ProgressLanguage.fromConfig("French")).isEqualTo(ProgressLanguage.FRENCH);
        assertThat(ProgressLanguage.fromConfig("en-US")).isEqualTo(ProgressLanguage.ENGLISH);
        assertThat(ProgressLanguage.fromConfig("ENGLISH")).isEqualTo(ProgressLanguage.ENGLISH);
        assertThatThrownBy(() -> ProgressLanguage.fromConfig("de")).hasMessageContaining("'de'");
    }
}
