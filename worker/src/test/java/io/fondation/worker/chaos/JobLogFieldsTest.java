package io.fondation.worker.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With {@code LOG_FORMAT=json}, every line a worker writes on a job's behalf carries the job's {@code jobId} and
 * {@code attempt}, whatever thread writes it: the job's own, the analyzer's output drainers (its progress), the
 * heartbeats, the cancel watcher (issue 18, point 7: {@code jq 'select(.jobId==...)'} must find them all).
 */
@Tag("slow")
class JobLogFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyLineOfACompletedAndOfACanceledJobNamesTheJobAndItsAttempt(Backend backend) {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            String completed = world.submit("");
            Path pidFile = world.signals.resolve("analyzer.pid");
            String canceled = world.submit("block " + pidFile);
            WorkerProcess worker = world.startWorker(
                    "logger", Map.of("LOG_FORMAT", "json", "HEARTBEAT_INTERVAL", "500", "LEASE_TIME", "4000"));

            world.awaitStatus(completed, JobStatus.COMPLETED, Duration.ofSeconds(60));
            ChaosWorld.awaitPid(pidFile);
            // A few heartbeats of the blocked job, then its cancellation, pushed to the worker.
            Instant blockedAt = world.job(canceled).updatedAt();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> world.job(canceled).updatedAt().isAfter(blockedAt.plusSeconds(1)));
            assertThat(world.queue().cancel(canceled)).isTrue();
            worker.awaitOutput("job " + canceled + ": canceled in attempt 1/5", Duration.ofSeconds(30));

            List<JsonNode> lines = linesOf(worker);
            for (String id : List.of(completed, canceled)) {
                List<JsonNode> about = lines.stream()
                        .filter(line -> line.path("message").asText().contains(id)
                                || id.equals(line.path("jobId").asText(null)))
                        .toList();
                assertThat(about).as("lines about job " + id).isNotEmpty();
                assertThat(about)
                        .as("every line about job %s names it and its attempt", id)
                        .allSatisfy(line -> {
                            assertThat(line.path("jobId").asText())
                                    .as(line.toString())
                                    .isEqualTo(id);
                            assertThat(line.path("attempt").asInt())
                                    .as(line.toString())
                                    .isEqualTo(1);
                        });
            }
            // The lines the issue found without a job id: progress (the analyzer's output, read on its own threads)
            // and the cancellation (the watcher's thread, then the job's).
            String all = lines.stream()
                    .map(line -> line.path("thread").asText() + " "
                            + line.path("jobId").asText("-") + " "
                            + line.path("message").asText())
                    .reduce("", (text, line) -> text + "\n" + line);
            assertThat(withJob(lines, completed)).as(all).anySatisfy(line -> {
                assertThat(line.path("message").asText()).contains("6/6");
                assertThat(line.path("thread").asText()).startsWith("proc-");
            });
            assertThat(withJob(lines, canceled)).as(all).anySatisfy(line -> {
                assertThat(line.path("message").asText()).contains("stopping (cancel_requested)");
                assertThat(line.path("thread").asText()).doesNotStartWith("fondation-job-");
            });
            assertThat(lines)
                    .as("a job's worker threads log nothing without the job")
                    .filteredOn(line -> jobThread(line.path("thread").asText()))
                    .allSatisfy(line ->
                            assertThat(line.has("jobId")).as(line.toString()).isTrue());
        }
    }

    private static boolean jobThread(String thread) {
        return thread.startsWith("fondation-job-")
                || thread.startsWith("fondation-heartbeat-")
                || thread.startsWith("proc-")
                || thread.equals("analysis-output-watcher");
    }

    private static List<JsonNode> withJob(List<JsonNode> lines, String id) {
        return lines.stream()
                .filter(line -> id.equals(line.path("jobId").asText(null)))
                .toList();
    }

    /** Every line of the worker's output, each a JSON object. */
    private static List<JsonNode> linesOf(WorkerProcess worker) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : worker.output().lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return lines;
    }
}
