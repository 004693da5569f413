package io.fondation.clibridge.progress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.Progress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the progress lines of every known Fondation CLI build:
 * <ul>
 *   <li>the JSON log line {@code {"level":"info",...,"msg":"[FONDATION_STEP_1/6] Extracting ..."}};</li>
 *   <li>the TTY form {@code [1/6] Extract: Extracting ...};</li>
 *   <li>the older {@code Step 1/6: ...}, {@code Step 1 of 6 ...} and {@code [PROGRESS] ...}.</li>
 * </ul>
 * Terminal escapes are stripped; anything else is ignored. Stateless and thread-safe.
 *
 * <p>Steps are absolute. Under {@code --steps} the Fondation CLI counts the selected steps
 * ({@code [FONDATION_STEP_1/3] Generating chapter content} for the last three): a line whose message is one of the six
 * step messages ({@link ProgressText#ENGLISH_STEPS}) is mapped to that step of 6 by its text, so the job still reads
 * {@code 4/6}.
 */
public final class ProgressParser {

    /** Larger totals are taken for garbage ("[200/404]" in some log line). */
    static final int MAX_TOTAL_STEPS = 100;
    /** Messages are cut to this many characters. */
    static final int MAX_MESSAGE_CHARS = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FONDATION_STEP = Pattern.compile("\\[FONDATION_STEP_(\\d{1,3})/(\\d{1,3})\\]\\s*(.*)");
    private static final Pattern TTY =
            Pattern.compile("^[^\\w\\[]{0,6}\\[(\\d{1,3})/(\\d{1,3})\\]\\s*(?:([A-Za-z][\\w -]{0,40}?):\\s+)?(.*)$");
    private static final Pattern STEP_SLASH =
            Pattern.compile("(?i)\\bstep\\s+(\\d{1,3})\\s*/\\s*(\\d{1,3})\\b\\s*[:\\-–—.]?\\s*(.*)");
    private static final Pattern STEP_OF =
            Pattern.compile("(?i)\\bstep\\s+(\\d{1,3})\\s+of\\s+(\\d{1,3})\\b\\s*[:\\-–—.]?\\s*(.*)");
    private static final Pattern PROGRESS_TAG = Pattern.compile("\\[PROGRESS\\]\\s*(.*)");
    private static final Pattern FRACTION = Pattern.compile("^\\[?(\\d{1,3})/(\\d{1,3})\\]?\\s*[:\\-–—]?\\s*(.*)");

    private final int defaultTotalSteps;

    /** A parser for the Fondation CLI (6 steps when a line gives none). */
    public ProgressParser() {
        this(Progress.FONDATION_STEPS);
    }

    /** @param defaultTotalSteps the total used for {@code [PROGRESS]} lines that give no step numbers */
    public ProgressParser(int defaultTotalSteps) {
        if (defaultTotalSteps < 1) {
            throw new IllegalArgumentException("defaultTotalSteps must be at least 1");
        }
        this.defaultTotalSteps = defaultTotalSteps;
    }

    /** The progress a line reports, if it is a progress line. */
    public Optional<Progress> parse(String line) {
        if (line == null || line.isEmpty() || !mayContainProgress(line)) {
            return Optional.empty();
        }
        String text = Ansi.strip(line).trim();
        if (text.startsWith("{")) {
            return parseJson(text);
        }
        // A TTY spinner rewrites its line with '\r'; the last readable segment is what was shown.
        Optional<Progress> found = Optional.empty();
        for (String segment : text.split("\r")) {
            Optional<Progress> p = parseText(segment.trim());
            if (p.isPresent()) {
                found = p;
            }
        }
        return found;
    }

    private static boolean mayContainProgress(String line) {
        return line.indexOf('/') >= 0 || line.contains("PROGRESS") || line.contains(" of ");
    }

    private Optional<Progress> parseJson(String text) {
        String message = null;
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.isObject()) {
                JsonNode msg = node.get("msg");
                if (msg == null || !msg.isTextual()) {
                    msg = node.get("message");
                }
                if (msg != null && msg.isTextual()) {
                    message = msg.asText();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // A cut or invalid JSON line: look for the step marker in the raw text only.
            Matcher m = FONDATION_STEP.matcher(text);
            if (m.find()) {
                String rest = m.group(3);
                int quote = rest.indexOf('"');
                return build(m.group(1), m.group(2), quote >= 0 ? rest.substring(0, quote) : rest);
            }
            return Optional.empty();
        }
        if (message == null) {
            return Optional.empty();
        }
        return parseText(Ansi.strip(message).trim());
    }

    private Optional<Progress> parseText(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = FONDATION_STEP.matcher(text);
        if (m.find()) {
            return build(m.group(1), m.group(2), m.group(3));
        }
        m = TTY.matcher(text);
        if (m.matches()) {
            return build(m.group(1), m.group(2), m.group(4).isBlank() && m.group(3) != null ? m.group(3) : m.group(4));
        }
        m = PROGRESS_TAG.matcher(text);
        if (m.find()) {
            String inner = m.group(1).trim();
            for (Pattern p : new Pattern[] {STEP_SLASH, STEP_OF, FRACTION}) {
                Matcher im = p.matcher(inner);
                if (im.find()) {
                    Optional<Progress> stepped = build(im.group(1), im.group(2), im.group(3));
                    if (stepped.isPresent()) {
                        return stepped;
                    }
                }
            }
            if (inner.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Progress(0, defaultTotalSteps, cut(inner)));
        }
        m = STEP_SLASH.matcher(text);
        if (m.find()) {
            return build(m.group(1), m.group(2), m.group(3));
        }
        m = STEP_OF.matcher(text);
        if (m.find()) {
            return build(m.group(1), m.group(2), m.group(3));
        }
        return Optional.empty();
    }

    private static Optional<Progress> build(String step, String total, String message) {
        int s = Integer.parseInt(step);
        int t = Integer.parseInt(total);
        if (t < 1 || t > MAX_TOTAL_STEPS || s > t) {
            return Optional.empty();
        }
        String text = cut(message == null ? "" : message.trim());
        int known = s == 0 ? 0 : fondationStep(text);
        // why: the step's own text says which of the six it is, whatever the line counted (--steps)
        return Optional.of(known > 0 ? new Progress(known, Progress.FONDATION_STEPS, text) : new Progress(s, t, text));
    }

    /** The Fondation step (1 to 6) whose message {@code text} starts with, ignoring case; 0 when none. */
    private static int fondationStep(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < ProgressText.ENGLISH_STEPS.size(); i++) {
            if (lower.startsWith(ProgressText.ENGLISH_STEPS.get(i).toLowerCase(Locale.ROOT))) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String cut(String message) {
        String clean = message.strip();
        if (clean.length() > MAX_MESSAGE_CHARS) {
            return clean.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
        }
        return clean;
    }
}
