package io.fondation.clibridge.progress;

import java.util.Locale;

/** The language of the progress text stored on the job row. */
public enum ProgressLanguage {
    FRENCH,
    ENGLISH;

    /**
     * Reads a setting such as {@code fr}, {@code fr-FR}, {@code french}, {@code en},
     * {@code en_US} or {@code english}; blank or null means French, the web UI's language.
     *
     * @throws IllegalArgumentException naming an unknown value
     */
    public static ProgressLanguage fromConfig(String value) {
        if (value == null || value.isBlank()) {
            return FRENCH;
        }
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (v.equals("fr")
                || v.startsWith("fr-")
                || v.equals("french")
                || v.equals("francais")
                || v.equals("français")) {
            return FRENCH;
        }
        if (v.equals("en") || v.startsWith("en-") || v.equals("english")) {
            return ENGLISH;
        }
        throw new IllegalArgumentException("unknown progress language '" + value + "'; expected fr or en");
    }
}
