package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.shared.CloneSource;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read functions the worker shares with the web app: {@code repositories:getByRepositoryId},
 * {@code users:getUserById}, {@code users:getGitHubToken}. Repository rows are cached for
 * {@link #REPOSITORY_TTL} (listing jobs would otherwise read one row per job); tokens never are.
 */
final class Lookups {

    private static final int MAX_CACHED_REPOSITORIES = 10_000;
    /** How long a repository row is reused (a renamed default branch is seen after at most this). */
    static final java.time.Duration REPOSITORY_TTL = java.time.Duration.ofMinutes(5);

    private record Cached(CloneSource source, long fetchedAtNanos) {}

    private final ConvexClient client;
    private final String workerSecret;
    private final GitHubTokenCipher cipher;
    private final Map<String, Cached> repositories = new ConcurrentHashMap<>();

    /**
     * @param workerSecret passed to the lookups when set (the hardened copies check it; legacy ones would
     *     reject the unknown argument, so legacy mode passes null)
     */
    Lookups(ConvexClient client, String workerSecret, GitHubTokenCipher cipher) {
        this.client = client;
        this.workerSecret = workerSecret;
        this.cipher = cipher;
    }

    /** The repository as a clone source, or null when it does not exist (for job snapshots). */
    CloneSource repositoryOrNull(String repositoryId) {
        try {
            return repository(repositoryId);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The repository as a clone source ({@code fullName} on {@code defaultBranch}).
     *
     * @throws IllegalArgumentException when the repository does not exist or its row is malformed
     */
    CloneSource repository(String repositoryId) {
        Cached cached = repositories.get(repositoryId);
        if (cached != null && System.nanoTime() - cached.fetchedAtNanos() < REPOSITORY_TTL.toNanos()) {
            return cached.source();
        }
        JsonNode row = client.query(
                "repositories:getByRepositoryId",
                Args.of()
                        .put("repositoryId", repositoryId)
                        .put("workerSecret", workerSecret)
                        .map());
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException("repository " + repositoryId + " does not exist");
        }
        CloneSource source = JobRows.repositorySource(row);
        if (repositories.size() >= MAX_CACHED_REPOSITORIES) {
            repositories.clear();
        }
        repositories.put(repositoryId, new Cached(source, System.nanoTime()));
        return source;
    }

    /**
     * The user's GitHub token, decrypted.
     *
     * @return empty when the user does not exist or has no token
     */
    Optional<GitCredentials> githubCredentials(String userId) {
        JsonNode user = client.query(
                "users:getUserById",
                Args.of()
                        .put("userId", userId)
                        .put("workerSecret", workerSecret)
                        .map());
        if (user == null || !user.isObject()) {
            return Optional.empty();
        }
        String githubId = JobRows.text(user, "githubId");
        if (githubId == null) {
            return Optional.empty();
        }
        JsonNode stored = client.query(
                "users:getGitHubToken",
                Args.of()
                        .put("githubId", githubId)
                        .put("workerSecret", workerSecret)
                        .map());
        String value = stored != null && stored.isTextual() ? stored.asText() : null;
        return cipher.reveal(value).map(token -> GitCredentials.ofToken(Secret.of(token)));
    }
}
