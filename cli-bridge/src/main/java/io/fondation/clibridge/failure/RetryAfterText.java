package io.fondation.clibridge.failure;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a wait an error message asks for: {@code retry-after: 20} (HTTP's header, in seconds), {@code "retry_after":
 * 20}, {@code retry after 20 seconds}, {@code try again in 5 minutes}. Words such as "try again in a moment" name no
 * wait and give nothing.
 */
final class RetryAfterText {

    private static final String NUMBER = "(\\d{1,9}(?:\\.\\d{1,3})?)";
    private static final String UNIT = "(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\\b";
    private static final Pattern RETRY_AFTER =
            Pattern.compile("retry[-_ ]?after\"?\\s*[:=]?\\s*(?:in\\s+)?" + NUMBER + "\\s*" + UNIT);
    private static final Pattern TRY_AGAIN = Pattern.compile("(?:try again|retry) in\\s+" + NUMBER + "\\s*" + UNIT);

    private RetryAfterText() {}

    /** The first wait named in {@code text}, at most {@code cap}; empty when none is. */
    static Optional<Duration> find(String text, Duration cap) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (Pattern pattern : new Pattern[] {RETRY_AFTER, TRY_AGAIN}) {
            Matcher m = pattern.matcher(lower);
            if (m.find()) {
                Duration wait = duration(Double.parseDouble(m.group(1)), m.group(2));
                return Optional.of(wait.compareTo(cap) > 0 ? cap : wait);
            }
        }
        return Optional.empty();
    }

    private static Duration duration(double amount, String unit) {
        // why seconds by default: HTTP's Retry-After counts seconds.
        String u = unit == null ? "s" : unit;
        double millis;
        if (u.startsWith("ms") || u.startsWith("milli")) {
            millis = amount;
        } else if (u.startsWith("h")) {
            millis = amount * 3_600_000;
        } else if (u.startsWith("m")) {
            millis = amount * 60_000;
        } else {
            millis = amount * 1_000;
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
