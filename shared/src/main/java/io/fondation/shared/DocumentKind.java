package io.fondation.shared;

import java.util.Locale;

/** The kinds of document the {@code docs} table knows. */
public enum DocumentKind {
    CHAPTER,
    TUTORIAL,
    TOC,
    YAML;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the unknown value */
    public static DocumentKind fromWire(String value) {
        for (DocumentKind kind : values()) {
            if (kind.wireName().equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown document kind '" + value + "'; expected chapter, tutorial, toc or yaml");
    }
}
