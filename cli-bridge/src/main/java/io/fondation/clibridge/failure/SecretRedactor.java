package io.fondation.clibridge.failure;

import io.fondation.shared.TokenShapes;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it is logged or stored: GitHub tokens, Anthropic API keys
 * and OAuth tokens, Bearer values, JWTs, credentials in URLs, and {@code NAME=value} /
 * {@code "key": "value"} pairs whose name says token, key, secret or password.
 */
public final class SecretRedactor {

    /** What a secret is replaced with. */
    public static final String MASK = "[REDACTED]";

    // why: the same shapes a repository URL is refused for (CloneSource), from one list
    private static final List<Pattern> TOKENS = TokenShapes.PATTERNS;

    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)([A-Za-z0-9._~+/=\\-]{8,})");
    private static final Pattern URL_CREDENTIALS =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)([^/\\s:@\"']+)(?::([^/\\s@\"']*))?@");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)([A-Za-z0-9_.\\-]*(?:token|secret|password|passwd|api[_\\-]?key|apikey|private[_\\-]?key|access[_\\-]?key|encryption[_\\-]?key|credentials?|authorization)[A-Za-z0-9_.\\-]*)"
                    + "(\"?\\s*[:=]\\s*\"?)([^\\s\"',;}&]{4,})");

    private SecretRedactor() {}

    /** The text with every recognisable secret replaced by {@value #MASK}. */
    public static String redact(String text) {
        String out = redactTokens(text);
        if (out.isEmpty()) {
            return out;
        }
        out = ASSIGNMENT
                .matcher(out)
                .replaceAll(m -> Matcher.quoteReplacement(
                        isHarmless(m.group(1), m.group(3)) ? m.group() : m.group(1) + m.group(2) + MASK));
        return out;
    }

    /**
     * Only the forms that are secrets wherever they appear: token formats (GitHub, Anthropic, JWT,
     * 64-hex keys), credentials in URLs and {@code Bearer}/{@code Basic} values. Unlike
     * {@link #redact(String)} it leaves {@code name: value} prose alone, so the worker's own messages
     * ("cannot read the clone credentials: GITHUB_TOKEN: ...") keep the setting they name.
     */
    public static String redactTokens(String text) {
        if (text == null || text.isEmpty()) {
            return text == null ? "" : text;
        }
        String out = text;
        for (Pattern token : TOKENS) {
            out = token.matcher(out).replaceAll(MASK);
        }
        out = URL_CREDENTIALS.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
        return BEARER.matcher(out)
                .replaceAll(m ->
                        Matcher.quoteReplacement(m.group(3).equals(MASK) ? m.group() : m.group(1) + m.group(2) + MASK));
    }

    /**
     * Like {@link #redact(String)}, and also replaces every occurrence of the given secret values
     * (the worker knows its own tokens; values shorter than 4 characters are ignored).
     */
    public static String redact(String text, Collection<String> knownSecrets) {
        String out = text == null ? "" : text;
        if (knownSecrets != null) {
            List<String> sorted = knownSecrets.stream()
                    .filter(s -> s != null && s.length() >= 4)
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
            for (String secret : sorted) {
                out = out.replace(secret, MASK);
            }
        }
        return redact(out);
    }

    private static boolean isHarmless(String name, String value) {
        // why: usage counters such as "input_tokens": 1234 and already-masked values are not secrets.
        if (value.startsWith("[REDACTED") || value.equals("null") || value.equals("true") || value.equals("false")) {
            return true;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return value.chars().allMatch(Character::isDigit)
                && (n.endsWith("tokens") || n.contains("token_count") || n.contains("max_") || n.endsWith("_ms"));
    }
}
