package io.fondation.clibridge.progress;

import io.fondation.shared.Progress;
import java.util.List;
import java.util.Locale;

/**
 * The progress text stored on the job row, as the web UI shows it:
 * {@code Étape 2/6: Analyse des relations entre composants}.
 */
public final class ProgressText {

    /** The Fondation CLI's step messages, as it prints them. */
    public static final List<String> ENGLISH_STEPS = List.of(
            "Extracting core abstractions from codebase",
            "Analyzing relationships between components",
            "Determining optimal chapter order",
            "Generating chapter content",
            "Reviewing and enhancing chapters",
            "Generating interactive tutorials");

    /** The web UI's French names of the six steps. */
    public static final List<String> FRENCH_STEPS = List.of(
            "Extraction des abstractions principales",
            "Analyse des relations entre composants",
            "Détermination de l'ordre optimal des chapitres",
            "Génération du contenu des chapitres",
            "Révision et amélioration des chapitres",
            "Génération de tutoriels interactifs");

    /** The TTY form's phase names. */
    private static final List<String> PHASES =
            List.of("extract", "analyze", "order", "generate", "review", "tutorials");

    private ProgressText() {}

    /**
     * The text for a progress: a known Fondation step gets its localised name; any other message
     * is kept as parsed.
     */
    public static String describe(Progress p, ProgressLanguage lang) {
        boolean french = lang != ProgressLanguage.ENGLISH;
        if (p.step() == 0) {
            if (p.message().isBlank()) {
                return french ? "Démarrage de l'analyse" : "Starting analysis";
            }
            return p.message();
        }
        String prefix = (french ? "Étape " : "Step ") + p.step() + "/" + p.totalSteps() + ": ";
        if (p.totalSteps() == Progress.FONDATION_STEPS && isKnownStepMessage(p.step(), p.message())) {
            return prefix + (french ? FRENCH_STEPS : ENGLISH_STEPS).get(p.step() - 1);
        }
        return prefix + p.message();
    }

    private static boolean isKnownStepMessage(int step, String message) {
        String m = normalise(message);
        if (m.isEmpty()) {
            return true;
        }
        String english = normalise(ENGLISH_STEPS.get(step - 1));
        String french = normalise(FRENCH_STEPS.get(step - 1));
        return m.startsWith(english) || m.startsWith(french) || m.equals(PHASES.get(step - 1));
    }

    private static String normalise(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        while (t.endsWith(".") || t.endsWith("…")) {
            t = t.substring(0, t.length() - 1).trim();
        }
        return t;
    }
}
