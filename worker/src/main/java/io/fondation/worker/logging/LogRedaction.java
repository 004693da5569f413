package io.fondation.worker.logging;

import io.fondation.clibridge.failure.SecretRedactor;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What every log field goes through, in both formats: the values of the worker's own secrets, read
 * from its environment, are masked wherever they appear, then {@link SecretRedactor#redactTokens}
 * masks anything shaped like a credential (GitHub and Anthropic tokens, JWTs, 64-hex keys, Bearer
 * values, credentials in URLs). The prose form {@code NAME: value} is left alone on purpose: the
 * worker's messages name settings ("GITHUB_TOKEN: not set") and must stay readable.
 */
public final class LogRedaction {

    /** Environment variables whose values are secrets; their values never reach a log line. */
    public static final List<String> SECRET_VARIABLES = List.of(
            "CONVEX_DEPLOY_KEY",
            "FONDATION_WORKER_SECRET",
            "ENCRYPTION_KEY",
            "GITHUB_TOKEN",
            "CLAUDE_CODE_OAUTH_TOKEN",
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "CALLBACK_TOKEN",
            "API_TOKEN",
            "API_READ_TOKEN");

    /** Secret values shorter than this are not masked by value (they would mask ordinary words). */
    static final int MIN_SECRET_LENGTH = 8;

    private static final LogRedaction PROCESS = new LogRedaction(System.getenv());

    private final List<String> knownSecrets;

    LogRedaction(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        this.knownSecrets = SECRET_VARIABLES.stream()
                .map(environment::get)
                .filter(value -> value != null && value.strip().length() >= MIN_SECRET_LENGTH)
                .map(String::strip)
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /** The redaction of this process, with the secrets of its environment. */
    public static LogRedaction process() {
        return PROCESS;
    }

    /** The text with every secret masked as {@value SecretRedactor#MASK}; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : knownSecrets) {
            out = out.replace(secret, SecretRedactor.MASK);
        }
        return SecretRedactor.redactTokens(out);
    }
}
