package io.fondation.convexqueue;

import java.util.Objects;

/**
 * How to authenticate a clone over HTTPS: a user name and a password or token, for example for
 * JGit's {@code UsernamePasswordCredentialsProvider}. {@link #toString()} never shows the token.
 *
 * @param username the user name git sends ({@code x-access-token} for GitHub tokens)
 * @param password the token or password
 */
public record GitCredentials(String username, String password) {

    /** The user name GitHub accepts together with an OAuth, app or personal access token. */
    public static final String GITHUB_TOKEN_USER = "x-access-token";

    public GitCredentials {
        Objects.requireNonNull(username, "username");
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("git credentials need a non-empty password or token");
        }
    }

    /** Credentials for a GitHub token. */
    public static GitCredentials ofGitHubToken(String token) {
        return new GitCredentials(GITHUB_TOKEN_USER, token);
    }

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", password=[redacted]]";
    }
}
