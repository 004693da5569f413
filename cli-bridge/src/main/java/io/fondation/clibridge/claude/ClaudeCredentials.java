package io.fondation.clibridge.claude;

import io.fondation.clibridge.env.CredentialFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Claude Code finds its credential, said without its value: {@code CLAUDE_CODE_OAUTH_TOKEN}
 * (from {@code claude setup-token}), {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_AUTH_TOKEN}, or a
 * Claude configuration directory with a {@code .credentials.json} (a logged-in {@code ~/.claude},
 * mounted read-only).
 */
public final class ClaudeCredentials {

    /** The variables that carry a credential. */
    public static final List<String> VARIABLES =
            List.of("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN");

    /** The file of a logged-in configuration directory. */
    public static final String CREDENTIALS_FILE = ".credentials.json";

    private ClaudeCredentials() {}

    /**
     * The credential sources present, for a start-up check or a log line: variable names, and the
     * credentials file of {@code configDirectory}; empty when there is none.
     *
     * @param environment the analyzer's environment
     * @param configDirectory the Claude configuration directory, or null
     */
    public static List<String> sources(Map<String, String> environment, Path configDirectory) {
        List<String> sources = new ArrayList<>();
        for (String name : VARIABLES) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                sources.add(name);
            }
        }
        if (configDirectory != null && Files.isRegularFile(configDirectory.resolve(CREDENTIALS_FILE))) {
            sources.add(configDirectory.resolve(CREDENTIALS_FILE).toString());
        }
        return List.copyOf(sources);
    }

    /**
     * A fingerprint of the credential variables {@code environment} gives Claude Code ({@link CredentialFingerprint}
     * of each present variable's name and value, in the order of {@link #VARIABLES}), so that workers running with the
     * same credential share one pause; empty when it gives none (a mounted credentials file: its OAuth tokens are
     * refreshed, so its content names no lasting identity).
     *
     * <p>why name and value, and every variable present: which of several Claude Code prefers is not something the
     * references say; fingerprinting them all together can only split one account into two pauses, never merge two.
     */
    public static Optional<String> fingerprint(Map<String, String> environment) {
        StringBuilder credential = new StringBuilder();
        for (String name : VARIABLES) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                credential.append(name).append('=').append(value.strip()).append('\n');
            }
        }
        return credential.length() == 0
                ? Optional.empty()
                : Optional.of(CredentialFingerprint.of(credential.toString()));
    }

    /** The credential values of {@code environment}, for {@code SecretRedactor.redact(text, secrets)}. */
    public static List<String> secretValues(Map<String, String> environment) {
        List<String> values = new ArrayList<>();
        for (String name : VARIABLES) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                values.add(value);
            }
        }
        return List.copyOf(values);
    }
}
