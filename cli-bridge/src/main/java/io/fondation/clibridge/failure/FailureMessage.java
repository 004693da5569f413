package io.fondation.clibridge.failure;

import io.fondation.clibridge.progress.Ansi;
import io.fondation.shared.JobFailure;
import io.fondation.shared.Utf8;
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

    private FailureMessage() {}

    /**
     * @param summary one or two sentences saying what happened
     * @param label what the quoted lines are, e.g. "last stderr lines"
     * @param output the output to quote the end of (may be blank)
     */
    public static String compose(String summary, String label, String output) {
        String head = Utf8.cut(SecretRedactor.redact(summary == null ? "" : summary.strip()), MAX_SUMMARY_BYTES, " …");
        if (output == null || output.isBlank()) {
            return head;
        }
        String header = "\n--- " + label + " ---\n";
        int budget = JobFailure.MAX_MESSAGE_BYTES - Utf8.length(head) - Utf8.length(header);
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
            int size = Utf8.length(line) + 1;
            if (used + size > budget) {
                if (kept.isEmpty() && budget > 64) {
                    // One huge last line: keep its end.
                    kept.addFirst("…" + Utf8.tail(line, budget - 8));
                }
                break;
            }
            kept.addFirst(line);
            used += size;
        }
        return String.join("\n", kept);
    }
}
