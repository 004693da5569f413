package io.fondation.convexqueue.testing;

import io.fondation.convexqueue.client.ConvexClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows the Fondation web app would have created: a user with an encrypted GitHub token and one of
 * their repositories, seeded straight into a {@link LocalConvexServer}.
 *
 * @param userId the {@code users} row
 * @param repositoryId the {@code repositories} row
 */
public record WebAppFixtures(String userId, String repositoryId) {

    /** The GitHub id of the seeded user. */
    public static final String GITHUB_ID = "4242";

    /**
     * Seeds a user whose {@code githubAccessToken} is {@code storedToken} (as the web app stores it)
     * and a repository {@code fullName} on {@code defaultBranch}.
     */
    public static WebAppFixtures seed(
            LocalConvexServer server, String storedToken, String fullName, String defaultBranch) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("githubId", GITHUB_ID);
        user.put("username", "octo");
        if (storedToken != null) {
            user.put("githubAccessToken", storedToken);
        }
        user.put("createdAt", 1.7e12);
        String userId = server.seed("users", user);
        Map<String, Object> repository = new LinkedHashMap<>();
        repository.put("userId", userId);
        repository.put("githubRepoId", "1001");
        repository.put("name", fullName.substring(fullName.indexOf('/') + 1));
        repository.put("fullName", fullName);
        repository.put("defaultBranch", defaultBranch);
        return new WebAppFixtures(userId, server.seed("repositories", repository));
    }

    /** Seeds another repository of the same user; returns its id. */
    public String addRepository(LocalConvexServer server, String fullName, String defaultBranch) {
        Map<String, Object> repository = new LinkedHashMap<>();
        repository.put("userId", userId);
        repository.put("githubRepoId", "r-" + fullName);
        repository.put("name", fullName.substring(fullName.indexOf('/') + 1));
        repository.put("fullName", fullName);
        repository.put("defaultBranch", defaultBranch);
        return server.seed("repositories", repository);
    }

    /** Creates a pending job for another repository of the user, like the web app; returns its id. */
    public String createJobLikeTheWebApp(ConvexClient client, String otherRepositoryId, String prompt) {
        return client.mutation(
                        "jobs:create", Map.of("userId", userId, "repositoryId", otherRepositoryId, "prompt", prompt))
                .get("jobId")
                .asText();
    }

    /** Creates a pending job the way the web app does ({@code jobs:create}); returns its id. */
    public String createJobLikeTheWebApp(ConvexClient client, String prompt) {
        return client.mutation("jobs:create", Map.of("userId", userId, "repositoryId", repositoryId, "prompt", prompt))
                .get("jobId")
                .asText();
    }
}
