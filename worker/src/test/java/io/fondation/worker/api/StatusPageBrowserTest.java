package io.fondation.worker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.dryrun.FixtureRepository;
import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in headless Chromium (Debian's package, driven by playwright-core: {@code src/test/node}):
 * a person signs in with the API token (kept only as an HttpOnly cookie), submits a repository, watches its progress
 * change to completed (the step counter shown once), sees what each job's attempts cost in all (and of which cap),
 * opens the course and reads a chapter;
 * the repository's README carries {@code <script>}, an {@code onerror} attribute and a {@code javascript:} link,
 * which the dry-run analyzer quotes into a chapter, and none of it runs. The screenshots stay in
 * {@code worker/target/browser-screenshots/}. The build installs the browser ({@code ensure-browser.mjs}); a
 * missing one fails this test, it is never skipped.
 */
class StatusPageBrowserTest {

    static final String HOSTILE_README = String.join(
            "\n",
            "# Demo Shop",
            "<script>window.__fondationPwned = 1</script>",
            "<img src=x onerror=\"window.__fondationPwned = 2\">",
            "[click me](javascript:window.__fondationPwned=3) and [a real link](https://example.com/docs)",
            "",
            "A tiny shop.",
            "");

    private static final Path BASEDIR =
            Paths.get(System.getProperty("basedir", ".")).toAbsolutePath();

    @TempDir
    Path temp;

    @Test
    void aPersonSubmitsARepositoryWatchesItCompleteAndReadsTheCourseSafely() throws Exception {
        Path tools = BASEDIR.resolve("src/test/node");
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
        assertThat(chromium)
                .as("Debian's chromium (the build installs it with src/test/node/ensure-browser.mjs)")
                .isExecutable();
        assertThat(tools.resolve("node_modules/playwright-core/package.json"))
                .as("playwright-core (npm ci in src/test/node, by ensure-browser.mjs)")
                .exists();
        Path repository = FixtureRepository.create(temp.resolve("shop"));
        Files.writeString(repository.resolve("README.md"), HOSTILE_README, StandardCharsets.UTF_8);
        FixtureRepository.commit(repository);
        Path shots = BASEDIR.resolve("target/browser-screenshots");
        Files.createDirectories(shots);

        try (ApiServer server = ApiServer.start(temp, Map.of("API_TOKEN", ApiServer.TOKEN));
                SqliteJobQueue later = SqliteJobQueue.open(
                        temp.resolve("queue.db"), Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))) {
            // A job held at step 3 with the analyzer's own "Étape 3/6: ..." text: queued to run tomorrow, so the
            // server's worker leaves it, and claimed by a queue whose clock is a day ahead, which reports the step.
            String held = server.runtime
                    .queue()
                    .enqueue(new JobSpec(
                            CloneSource.ofFullName("owner/held-at-step-three", null),
                            "",
                            1,
                            Instant.now().plus(Duration.ofHours(12)),
                            null));
            ClaimedJob claim =
                    later.claimOne("browser-test", Duration.ofHours(1)).orElseThrow();
            assertThat(claim.id()).isEqualTo(held);
            later.heartbeat(
                    claim.lease(),
                    JobStatus.ANALYZING,
                    new Progress(3, 6, "Étape 3/6: Détermination de l'ordre optimal des chapitres"),
                    Duration.ofHours(1));
            // A job with a budget whose first attempt cost $0.40 and failed: its retry is due tomorrow (the day-ahead
            // queue's backoff), so it waits with its cost in all, which the page shows as `status` does.
            String costed = server.runtime
                    .queue()
                    .enqueue(new JobSpec(
                                    CloneSource.ofFullName("owner/costed", null),
                                    "",
                                    3,
                                    Instant.now().plus(Duration.ofHours(12)),
                                    null)
                            .withMaxCostUsd(new BigDecimal("1.00")));
            ClaimedJob costedClaim =
                    later.claimOne("browser-test", Duration.ofHours(1)).orElseThrow();
            assertThat(costedClaim.id()).isEqualTo(costed);
            assertThat(later.retryOrFail(
                            costedClaim.lease(),
                            new JobFailure(FailureKind.TRANSIENT, "the API was unreachable", Duration.ZERO),
                            null,
                            new BigDecimal("0.40")))
                    .isInstanceOf(RetryDecision.Retrying.class);
            Path log = temp.resolve("browser.log");
            ProcessBuilder builder = new ProcessBuilder(
                            List.of("node", "status-page.mjs", server.base(), repository.toString(), shots.toString()))
                    .directory(tools.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // why: the token reaches the script through its environment, never its command line
            builder.environment().put("FONDATION_API_TOKEN", ApiServer.TOKEN);
            builder.environment().put("FONDATION_HELD_JOB", held);
            builder.environment().put("FONDATION_COSTED_JOB", costed);
            Process process = builder.start();
            boolean ended = process.waitFor(4, TimeUnit.MINUTES);
            if (!ended) {
                process.destroyForcibly();
            }
            String output = read(log);
            Files.writeString(shots.resolve("status-page.log"), output, StandardCharsets.UTF_8);
            assertThat(ended).as("the browser script ended:\n" + output).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("status page checks passed");
        }
        assertThat(shots.resolve("2-completed.png")).isNotEmptyFile();
        assertThat(shots.resolve("3-course.png")).isNotEmptyFile();
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
