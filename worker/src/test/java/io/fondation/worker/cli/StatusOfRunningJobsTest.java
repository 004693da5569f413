package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.JobStatus;
import io.fondation.worker.e2e.WorkerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code status} says of a job a real worker runs, and of one canceled while it ran: the row and the log tell
 * the same attempt (issue 18, point 7).
 */
class StatusOfRunningJobsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void aRunningJobShowsTheAttemptThatRunsAndACanceledOneTheAttemptItWasCanceledInWithNoLock() throws Exception {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Path pidFile = fixture.signals.resolve("analyzer.pid");
            String id = fixture.submit(fixture.repository("sample"), null, "block " + pidFile);
            await().atMost(WAIT)
                    .until(() -> Files.exists(pidFile) && fixture.job(id).status() == JobStatus.ANALYZING);
            CliHarness cli = new CliHarness(temp);
            String db = fixture.database.toString();

            JsonNode running = JSON.readTree(
                    cli.run(temp, "status", id, "--json", "--db", db).out());
            assertThat(running.get("status").asText()).isEqualTo("analyzing");
            assertThat(running.get("attempts").asInt())
                    .as("attempt 1 of 5 runs")
                    .isEqualTo(1);
            assertThat(running.get("maxAttempts").asInt()).isEqualTo(5);
            assertThat(running.get("lockedBy").asText()).isEqualTo(WorkerFixture.WORKER_ID);
            assertThat(cli.run(temp, "status", "--db", db).out())
                    .contains("1/5")
                    .doesNotContain("0/5");

            CliHarness.Result cancel = cli.run(temp, "cancel", id, "--db", db);
            assertThat(cancel.exitCode()).as(cancel.err()).isZero();
            fixture.listener.awaitOutcome(id, AttemptOutcome.Canceled.class, WAIT);

            JsonNode canceled = JSON.readTree(
                    cli.run(temp, "status", id, "--json", "--db", db).out());
            assertThat(canceled.get("status").asText()).isEqualTo("canceled");
            assertThat(canceled.get("attempts").asInt())
                    .as("canceled in attempt 1/5, as the log says")
                    .isEqualTo(1);
            assertThat(canceled.get("lockedBy").isNull())
                    .as(canceled.toString())
                    .isTrue();
            assertThat(canceled.get("leaseUntil").isNull()).isTrue();
        }
    }
}
