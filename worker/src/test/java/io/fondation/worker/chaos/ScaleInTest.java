package io.fondation.worker.chaos;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A scale-in mid-job, as KEDA's HPA does it: three worker processes on one queue, two slow jobs running, SIGTERM to
 * two workers (the holder of one job and the idle one). Every job completes exactly once and the scale-in spends no
 * attempt: the released job is claimed again by the worker left, in attempt 1.
 */
@Tag("slow")
class ScaleInTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sigtermToTwoOfThreeWorkersMidJobCompletesEveryJobOnceWithoutSpendingAnAttempt(Backend backend)
            throws IOException {
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            Path go = world.signals.resolve("go");
            String first = world.submit("wait-for " + go);
            String second = world.submit("wait-for " + go);
            List<WorkerProcess> workers = List.of(
                    world.startWorker("scale-a", Map.of()),
                    world.startWorker("scale-b", Map.of()),
                    world.startWorker("scale-c", Map.of()));
            // Both jobs running, on two of the three workers (MAX_CONCURRENT_JOBS 1 each).
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> world.job(first).status() == JobStatus.ANALYZING
                            && world.job(second).status() == JobStatus.ANALYZING);
            String holder = Objects.requireNonNull(world.job(first).lockedBy());
            String other = Objects.requireNonNull(world.job(second).lockedBy());
            WorkerProcess stoppedHolder = byName(workers, holder);
            WorkerProcess idle = workers.stream()
                    .filter(w -> !w.name().equals(holder) && !w.name().equals(other))
                    .findFirst()
                    .orElseThrow();
            WorkerProcess survivor = byName(workers, other);

            stoppedHolder.terminate();
            idle.terminate();

            assertThat(stoppedHolder.awaitExit(Duration.ofSeconds(30)))
                    .as(stoppedHolder.output())
                    .isZero();
            assertThat(idle.awaitExit(Duration.ofSeconds(30))).as(idle.output()).isZero();
            assertThat(stoppedHolder.output())
                    .contains("job " + first + ": released without spending an attempt (the worker is shutting down)");
            // The survivor is busy with the other job (one slot), so the released one waits, attempt given back.
            assertThatJob(world.job(first))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .isNotLeased();
            assertThat(world.job(second).lockedBy()).as("the other job runs on").isEqualTo(other);

            Files.writeString(go, "go");
            JobSnapshot secondDone = world.awaitStatus(second, JobStatus.COMPLETED, Duration.ofSeconds(60));
            JobSnapshot firstDone = world.awaitStatus(first, JobStatus.COMPLETED, Duration.ofSeconds(60));

            assertThatJob(secondDone).hasAttempts(1).isNotLeased();
            assertThatJob(firstDone)
                    .as("the scale-in spent no attempt: the next holder ran attempt 1")
                    .hasAttempts(1)
                    .isNotLeased();
            // why: the row turns completed just before its worker logs the outcome
            survivor.awaitOutput("job " + first + ": completed in attempt 1/", Duration.ofSeconds(10));
            survivor.awaitOutput("job " + second + ": completed in attempt 1/", Duration.ofSeconds(10));
            String all = workers.stream().map(WorkerProcess::output).reduce("", String::concat);
            for (String id : List.of(first, second)) {
                assertThat(Pattern.compile(Pattern.quote("job " + id + ": completed in "))
                                .matcher(all)
                                .results()
                                .count())
                        .as("job " + id + " completed once")
                        .isEqualTo(1);
            }
            System.out.printf(
                    "scale-in %s: holder %s and idle %s stopped; %s completed both jobs, attempts %d and %d%n",
                    backend, holder, idle.name(), other, firstDone.attempts(), secondDone.attempts());
        }
    }

    private static WorkerProcess byName(List<WorkerProcess> workers, String name) {
        return workers.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }
}
