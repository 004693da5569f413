package io.fondation.shared;

import java.nio.charset.StandardCharsets;

/**
 * Fits text into a UTF-8 byte budget (stored errors are capped in bytes, not characters). Cuts
 * fall on code point boundaries, so no character is ever split.
 */
public final class Utf8 {

    private Utf8() {}

    /** The UTF-8 size of {@code text}. */
    public static int length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * {@code text} when it fits in {@code maxBytes}; otherwise its longest start that fits together
     * with {@code marker}, followed by {@code marker}.
     */
    public static String cut(String text, int maxBytes, String marker) {
        if (length(text) <= maxBytes) {
            return text;
        }
        int budget = maxBytes - length(marker);
        int end = 0;
        int used = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int size = length(cp);
            if (used + size > budget) {
                break;
            }
            used += size;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + marker;
    }

    /** The longest end of {@code text} that fits in {@code maxBytes}. */
    public static String tail(String text, int maxBytes) {
        int start = text.length();
        int used = 0;
        while (start > 0) {
            int cp = text.codePointBefore(start);
            int size = length(cp);
            if (used + size > maxBytes) {
                break;
            }
            used += size;
            start -= Character.charCount(cp);
        }
        return text.substring(start);
    }

    // why: encoded like String.getBytes, so a lone surrogate counts as the one byte '?' it becomes.
    private static int length(int codePoint) {
        return Character.toString(codePoint).getBytes(StandardCharsets.UTF_8).length;
    }
}
