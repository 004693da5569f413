package io.fondation.dryrun;

import java.text.Normalizer;
import java.util.Locale;

/** File-name fragments from names: {@code "CLI Bridge (src/x)"} → {@code cli_bridge_src_x}. */
final class Slugs {

    static final int MAX_LENGTH = 48;

    private Slugs() {}

    static String of(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        String slug =
                ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (slug.length() > MAX_LENGTH) {
            slug = slug.substring(0, MAX_LENGTH).replaceAll("_+$", "");
        }
        return slug.isEmpty() ? "section" : slug;
    }
}
