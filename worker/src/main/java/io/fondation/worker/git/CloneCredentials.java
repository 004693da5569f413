package io.fondation.worker.git;

import io.fondation.worker.config.Secret;
import java.util.Objects;

/**
 * HTTPS credentials for one clone, e.g. the GitHub token of the job's owner. The secret never appears
 * in {@link #toString()}.
 *
 * @param username the user name git sends ({@code x-access-token} for GitHub tokens)
 * @param secret the token or password
 */
public record CloneCredentials(String username, Secret secret) {

    /** The user name GitHub accepts with any kind of token. */
    public static final String GITHUB_TOKEN_USER = "x-access-token";

    public CloneCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
    }

    /** Credentials for a GitHub token. */
    public static CloneCredentials ofToken(Secret token) {
        return new CloneCredentials(GITHUB_TOKEN_USER, token);
    }
}
