package io.fondation.shared;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The shapes of credentials that are secrets wherever they appear: GitHub tokens, Anthropic keys, other
 * {@code sk-} keys, JSON Web Tokens and 64-hex keys. One list for the two uses that must agree: the redactor masks
 * them in logs and errors, and a repository URL carrying one is refused before anything stores or shows it (were
 * the lists different, the job list would show in full what the error text masks).
 */
public final class TokenShapes {

    /** The patterns, each matching one token. */
    public static final List<Pattern> PATTERNS = List.of(
            // GitHub: classic, OAuth, user-to-server, server-to-server, refresh, fine-grained.
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{16,}"),
            Pattern.compile("\\bgithub[_]pat_[A-Za-z0-9_]{16,}"),
            // Anthropic API keys (sk-ant-api03-...) and OAuth tokens (sk-ant-oat01-...), other sk- keys.
            Pattern.compile("\\bsk-ant-[A-Za-z0-9_\\-]{8,}"),
            Pattern.compile("\\bsk-[A-Za-z0-9_\\-]{20,}"),
            // JSON Web Tokens (Convex deploy keys and OAuth access tokens often are).
            Pattern.compile("\\beyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}"),
            // AES keys such as ENCRYPTION_KEY: 64 hex characters.
            Pattern.compile("\\b[0-9a-fA-F]{64}\\b"));

    private TokenShapes() {}

    /** Whether {@code text} holds something shaped like a token. */
    public static boolean containsToken(String text) {
        return text != null && PATTERNS.stream().anyMatch(p -> p.matcher(text).find());
    }
}
