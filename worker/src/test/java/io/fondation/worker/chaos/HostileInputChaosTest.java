package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chaos case 10: hostile input. What a user types is refused at {@code submit} with a clear reason and nothing is
 * stored; what another program wrote straight into the queue fails as an invalid job while the worker goes on.
 */
@Tag("slow")
class HostileInputChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final String SECRET = "secret123-not-real";

    @TempDir
    Path temp;

    @Test
    void submitRefusesHostileRepositoriesAndBranchesAndStoresNothing() {
        try (ChaosWorld world = new ChaosWorld(Backend.EMBEDDED, temp, CONVEX)) {
            Map<List<String>, String> cases = new LinkedHashMap<>();
            cases.put(List.of("https://user:" + SECRET + "@git.example.test/x.git"), "must not contain credentials");
            cases.put(List.of("ext::sh -c touch% /tmp/pwned"), "is not an existing directory, a URL or owner/name");
            cases.put(List.of("ftp://git.example.test/x.git"), "scheme 'ftp' is not supported");
            cases.put(List.of("https://git.example.test/" + "a".repeat(5_000)), "at most 2048 are accepted");
            cases.put(List.of("git@git.example.test:acme/x.git"), "ssh address");
            cases.put(List.of("acme/widgets", "--branch", "--upload-pack=touch /tmp/pwned"), "not a valid git branch");
            cases.put(List.of("acme/widgets", "--branch", "main;rm -rf /"), "not a valid git branch");
            int n = 0;
            for (Map.Entry<List<String>, String> hostile : cases.entrySet()) {
                List<String> args = new ArrayList<>(List.of("submit"));
                args.addAll(hostile.getKey());
                WorkerProcess submit = world.start("submit-" + n++, world.env("cli"), args.toArray(String[]::new));

                assertThat(submit.awaitExit(Duration.ofSeconds(60)))
                        .as(submit.output())
                        .isEqualTo(2);
                assertThat(submit.output())
                        .contains(hostile.getValue())
                        .doesNotContain(SECRET)
                        .doesNotContain("Exception");
            }
            assertThat(world.queue().list(null, 100)).as("nothing was stored").isEmpty();

            WorkerProcess good = world.start("submit-good", world.env("cli"), "submit", "acme/widgets.git");
            assertThat(good.awaitExit(Duration.ofSeconds(60))).as(good.output()).isZero();
            assertThat(world.queue().list(null, 10))
                    .singleElement()
                    .satisfies(job -> assertThat(job.source().fullName()).isEqualTo("acme/widgets"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void hostileRowsWrittenStraightIntoTheQueueFailAsInvalidJobsAndTheWorkerGoesOn(Backend backend) throws Exception {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            List<String> hostile = new ArrayList<>();
            for (String url : List.of(
                    "https://bot:" + SECRET + "@git.example.test/x.git",
                    "ext::sh -c touch% /tmp/pwned",
                    "--upload-pack=touch /tmp/pwned")) {
                hostile.add(insertRaw(world, backend, url));
            }
            String good = world.submit("");
            world.startWorker("w", Map.of());

            assertThatJob(world.awaitStatus(good, JobStatus.COMPLETED, Duration.ofSeconds(60)))
                    .hasAttempts(1);
            for (String id : hostile) {
                assertThatJob(world.job(id)).hasStatus(JobStatus.FAILED).hasLastErrorContaining("invalid job: ");
                assertThat(world.job(id).lastError()).doesNotContain(SECRET);
                assertThat(world.job(id).toString()).doesNotContain(SECRET);
            }
        }
    }

    /** A pending job whose source bypassed every check (another program wrote it). */
    private static String insertRaw(ChaosWorld world, Backend backend, String url) throws Exception {
        if (backend == Backend.CONVEX) {
            long now = System.currentTimeMillis();
            return CONVEX.seed(
                    "jobs",
                    Map.of(
                            "status",
                            "pending",
                            "source",
                            Map.of("url", url),
                            "prompt",
                            "",
                            "callbackToken",
                            "test-callback-token",
                            "createdAt",
                            (double) now,
                            "updatedAt",
                            (double) now,
                            "runAt",
                            (double) now,
                            "attempts",
                            0.0,
                            "maxAttempts",
                            5.0));
        }
        world.queue(); // creates the schema
        String id = java.util.UUID.randomUUID().toString();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + world.root.resolve("queue.db"));
                PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (id, status, source_url,"
                        + " prompt, attempts, max_attempts, run_at, created_at, updated_at)"
                        + " VALUES (?, 'pending', ?, '', 0, 5, 0, 0, 0)")) {
            insert.setString(1, id);
            insert.setString(2, url);
            insert.executeUpdate();
        }
        return id;
    }
}
