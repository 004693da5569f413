package io.fondation.shared;

import java.util.Objects;

/**
 * How to authenticate one clone over HTTPS: a user name and a token or password. The token is a {@link Secret}:
 * it never shows in {@link #toString()}, and the cloner hands it to git through a credentials provider, never in
 * a URL, an argument list or a log line.
 *
 * @param username the user name git sends ({@link #GITHUB_TOKEN_USER} for GitHub tokens)
 * @param password the token or password
 */
public record GitCredentials(String username, Secret password) {

    /** The user name GitHub accepts together with an OAuth, app or personal access token. */
    public static final String GITHUB_TOKEN_USER = "x-access-token";

    public GitCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** Credentials for a GitHub token. */
    public static GitCredentials ofToken(Secret token) {
        return new GitCredentials(GITHUB_TOKEN_USER, token);
    }
}
