package io.fondation.clibridge.failure;

import io.fondation.clibridge.progress.Ansi;
import io.fondation.shared.JobFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Composes the error stored on a job: a short summary plus the last lines of the analyzer's
 * output, redacted, within {@link JobFailure#MAX_MESSAGE_BYTES}. The budget keeps the END of the
 * output, where the real error usually is.
 */
public final class FailureMessage {

    /** The most lines of output quoted. */
    public static final int MAX_TAIL_LINES = 30;
    private static final int MAX_SUMMARY_BYTES = 1024;

    private FailureMessage() {
    }

    /**
     * @param summary one or two sentences saying what happened
     * @param label what the quoted lines are, e.g. "last stderr lines"
     * @param output the output to quote the end of (may be blank)
     */
    public static String compose(String summary, String label, String output) {
        String head = cut(SecretRedactor.redact(summary == null ? "" : summary.strip()), MAX_SUMMARY_BYTES);
        if (output == null || output.isBlank()) {
            return head;
        }
        String header = "\n--- " + label + " ---\n";
        int budget = JobFailure.MAX_MESSAGE_BYTES - bytes(head) - bytes(header);
        String tail = lastLines(SecretRedactor.redact(Ansi.strip(output)), budget);
        return tail.isEmpty() ? head : head + header + tail;
    }

    /** The last non-blank lines of {@code text} that fit in {@code budget} UTF-8 bytes. */
    static String lastLines(String text, int budget) {
        String[] lines = text.split("\r?\n|\r");
        Deque<String> kept = new ArrayDeque<>();
        int used = 0;
        for (int i = lines.length - 1; i >= 0 && kept.size() < MAX_TAIL_LINES; i--) {
            String line = lines[i].stripTrailing();
            if (line.isBlank()) {
                continue;
            }
            int size = bytes(line) + 1;
            if (used + size > budget) {
                if (kept.isEmpty() && budget > 64) {
                    // One huge last line: keep its end.
                    kept.addFirst("…" + endOf(line, budget - 8));
                }
                break;
            }
            kept.addFirst(line);
            used += size;
        }
        return String.join("\n", kept);
    }

    private static String endOf(String line, int budgetBytes) {
        int start = line.length();
        int used = 0;
        while (start > 0) {
            int cp = line.codePointBefore(start);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > budgetBytes) {
                break;
            }
            used += size;
            start -= Character.charCount(cp);
        }
        return line.substring(start);
    }

    static String cut(String text, int maxBytes) {
        if (bytes(text) <= maxBytes) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > maxBytes - 4) {
                break;
            }
            out.appendCodePoint(cp);
            used += size;
            i += Character.charCount(cp);
        }
        return out.append(" …").toString();
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
