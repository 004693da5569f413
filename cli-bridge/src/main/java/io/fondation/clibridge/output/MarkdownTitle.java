package io.fondation.clibridge.output;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the first heading of a Markdown document (ATX {@code # Title} or Setext), outside code fences. */
public final class MarkdownTitle {

    private static final Pattern ATX = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.*?)(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern SETEXT_H1 = Pattern.compile("^ {0,3}=+[ \\t]*$");
    private static final int MAX_TITLE_CHARS = 200;

    private MarkdownTitle() {}

    /** The text of the first heading, trimmed, or empty if the document has none. */
    public static Optional<String> of(String markdown) {
        String fence = null;
        String previous = null;
        int start = 0;
        int length = markdown.length();
        while (start < length) {
            int end = markdown.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            String line = markdown.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            start = end + 1;
            Matcher f = FENCE.matcher(line);
            if (fence != null) {
                if (f.find()
                        && f.group(1).charAt(0) == fence.charAt(0)
                        && f.group(1).length() >= fence.length()) {
                    fence = null;
                }
                continue;
            }
            if (f.find()) {
                fence = f.group(1);
                previous = null;
                continue;
            }
            Matcher h = ATX.matcher(line);
            if (h.matches() && !h.group(1).isBlank()) {
                return Optional.of(clean(h.group(1)));
            }
            if (previous != null
                    && !previous.isBlank()
                    && SETEXT_H1.matcher(line).matches()) {
                return Optional.of(clean(previous));
            }
            previous = line;
        }
        return Optional.empty();
    }

    private static String clean(String title) {
        String t = title.strip();
        return t.length() > MAX_TITLE_CHARS ? t.substring(0, MAX_TITLE_CHARS - 1) + "…" : t;
    }
}
