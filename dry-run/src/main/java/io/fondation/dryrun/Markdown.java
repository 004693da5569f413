package io.fondation.dryrun;

import java.util.List;
import java.util.Locale;

/** Small Markdown building blocks that stay valid whatever the repository's text contains. */
final class Markdown {

    private Markdown() {}

    /** An inline code span that survives backticks in the text. */
    static String code(String text) {
        String single = text.replace('\n', ' ');
        if (!single.contains("`")) {
            return "`" + single + "`";
        }
        return "`` " + single + " ``";
    }

    /** A table cell: pipes escaped, one line. */
    static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace('\n', ' ');
    }

    /** A fenced code block whose fence is longer than any backtick run inside. */
    static String fenced(String info, List<String> lines) {
        int longest = 0;
        for (String line : lines) {
            int run = 0;
            for (int i = 0; i < line.length(); i++) {
                run = line.charAt(i) == '`' ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        StringBuilder out = new StringBuilder(fence).append(info).append('\n');
        lines.forEach(line -> out.append(line).append('\n'));
        return out.append(fence).append('\n').toString();
    }

    /** Quotes lines as a block quote. */
    static String quote(List<String> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(line -> out.append(line.isBlank() ? ">" : "> " + line).append('\n'));
        return out.toString();
    }

    /** A path quoted for a POSIX shell command in a tutorial. */
    static String shellQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        if (size < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", size / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", size / (1024.0 * 1024.0));
    }

    static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String lines(SourceFile file) {
        return file.wasRead() ? number(file.lines()) + (file.truncated() ? "+" : "") : "not read";
    }
}
