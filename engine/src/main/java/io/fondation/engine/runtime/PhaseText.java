package io.fondation.engine.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;

/** The progress text of the phases around the analyzer, in the UI's language. */
final class PhaseText {

    private PhaseText() {}

    /**
     * The progress of entering {@code phase}; the step already reached is kept so the UI's step counter never
     * jumps back.
     */
    static Progress of(JobStatus phase, ProgressLanguage language, Progress last) {
        boolean english = language == ProgressLanguage.ENGLISH;
        String text = switch (phase) {
            case CLONING -> english ? "Cloning the repository" : "Clonage du dépôt";
            case ANALYZING -> ProgressText.describe(Progress.starting(""), language);
            case GATHERING -> english ? "Saving the documents" : "Enregistrement des documents";
            default -> phase.wireName();
        };
        return last == null ? Progress.starting(text) : new Progress(last.step(), last.totalSteps(), text);
    }

    /** The progress a completed job shows: every step done. */
    static Progress completed(ProgressLanguage language, Progress last) {
        int total = last == null ? Progress.FONDATION_STEPS : last.totalSteps();
        return new Progress(
                total, total, language == ProgressLanguage.ENGLISH ? "Analysis complete" : "Analyse terminée");
    }

    /** An analyzer progress, with its message localized (Fondation steps get the UI's names). */
    static Progress localized(Progress progress, ProgressLanguage language) {
        return new Progress(progress.step(), progress.totalSteps(), ProgressText.describe(progress, language));
    }
}
