package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the poll loop takes jobs: only with a free slot, and at once when a job ends. */
class SchedulingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void theNextJobStartsAsSoonAsThePreviousEndsEvenWithALongPollInterval() {
        // A 10-minute poll interval: only the immediate re-poll after each job can finish three jobs quickly.
        try (WorkerFixture fixture = new WorkerFixture(temp, Map.of("POLL_INTERVAL", "600000"))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(fixture.submit(fixture.repository("repo-" + i), null, ""));
            }
            long started = System.nanoTime();
            fixture.start();

            await().atMost(WAIT)
                    .until(() -> ids.stream().allMatch(id -> fixture.job(id).status() == JobStatus.COMPLETED));
            System.out.println(
                    "e2e: three queued jobs, one slot: " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    @Test
    void noMoreThanMaxConcurrentJobsRunAndAFreedSlotIsFilledAtOnce() throws IOException {
        try (WorkerFixture fixture =
                new WorkerFixture(temp, Map.of("MAX_CONCURRENT_JOBS", "2", "POLL_INTERVAL", "600000"))) {
            List<String> ids = new ArrayList<>();
            List<Path> pidFiles = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path pidFile = fixture.signals.resolve("job-" + i + ".pid");
                pidFiles.add(pidFile);
                ids.add(fixture.submit(fixture.repository("repo-" + i), null, "block " + pidFile));
            }
            fixture.start();

            await().atMost(WAIT)
                    .until(() -> pidFiles.stream().filter(Files::exists).count() == 2);
            assertThat(fixture.runtime.worker().activeJobs()).isEqualTo(2);
            long pending = ids.stream()
                    .filter(id -> fixture.job(id).status() == JobStatus.PENDING)
                    .count();
            assertThat(pending).isEqualTo(1);
            String waiting = ids.stream()
                    .filter(id -> fixture.job(id).status() == JobStatus.PENDING)
                    .findFirst()
                    .orElseThrow();
            String running =
                    ids.stream().filter(id -> !id.equals(waiting)).findFirst().orElseThrow();

            fixture.queue().cancel(running);

            // The freed slot is filled without waiting for the 10-minute poll interval.
            await().atMost(WAIT).until(() -> fixture.job(waiting).status().isLeased());
            await().atMost(WAIT)
                    .until(() -> pidFiles.stream().filter(Files::exists).count() == 3);
            assertThat(fixture.runtime.worker().activeJobs()).isEqualTo(2);
        }
    }
}
