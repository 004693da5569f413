package io.fondation.worker.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Progress;

/** The progress text of the phases around the analyzer, in the UI's language. */
final class PhaseText {

    private PhaseText() {}

    static Progress cloning(ProgressLanguage language) {
        return Progress.starting(language == ProgressLanguage.ENGLISH ? "Cloning the repository" : "Clonage du dépôt");
    }

    static Progress analyzing(ProgressLanguage language) {
        return Progress.starting(ProgressText.describe(Progress.starting(""), language));
    }

    /** Saving keeps the step reached so that the UI's step counter does not jump back. */
    static Progress gathering(ProgressLanguage language, Progress last) {
        String text = language == ProgressLanguage.ENGLISH ? "Saving the documents" : "Enregistrement des documents";
        return last == null ? Progress.starting(text) : new Progress(last.step(), last.totalSteps(), text);
    }

    /** An analyzer progress, with its message localized (Fondation steps get the UI's names). */
    static Progress localized(Progress progress, ProgressLanguage language) {
        return new Progress(progress.step(), progress.totalSteps(), ProgressText.describe(progress, language));
    }
}
