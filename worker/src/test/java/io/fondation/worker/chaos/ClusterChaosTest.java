package io.fondation.worker.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.testing.SuiteSharing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chaos case 9: a cluster. Four worker processes with two slots each take 2,000 jobs from one queue: every job
 * completes exactly once, none is lost or stuck.
 *
 * <p>On Convex the case takes 250 jobs by default: the local test server's fake database (convex-test) reads every
 * document of every table for each query, index or not, so its cost per call grows with the number of rows and
 * 2,000 jobs (with their documents) measure that server rather than the worker (3.6 jobs/s at 300 jobs here; the
 * CI run on record did not finish 2,000 within 6 minutes). A real deployment reads through the indexes. {@code -Dfondation.chaos.clusterJobsConvex=2000} runs the
 * full figure there too. It was 500: as the cost per job grows with the rows,
 * those took 195 s (2.6 jobs/s, machine loaded) of the suite's time for what 250 prove as well: 8 slots of 4
 * processes contend for every claim, and each job's completions are counted over all workers' logs.
 */
@Tag("slow")
// why alone and last: a CPU-bound throughput case; no concurrent class runs beside it (SuiteSharing)
@ResourceLock(SuiteSharing.MACHINE)
@Order(SuiteSharing.LAST)
class ClusterChaosTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final int WORKERS = 4;
    /** At least 2,000 (the case's figure); a smaller number may be given while working on the suite. */
    private static final int EMBEDDED_JOBS = Integer.getInteger("fondation.chaos.clusterJobs", 2_000);
    /** See the class comment for why the local Convex server gets fewer. */
    private static final int CONVEX_JOBS = Integer.getInteger("fondation.chaos.clusterJobsConvex", 250);

    private static final Pattern COMPLETED = Pattern.compile("job (\\S+): completed in attempt");

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void fourWorkerProcessesCompleteEveryJobExactlyOnce(Backend backend) {
        final int jobs = backend == Backend.CONVEX ? CONVEX_JOBS : EMBEDDED_JOBS;
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            if (backend == Backend.CONVEX) {
                CONVEX.calls(true);
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(world.submit(""));
            }
            List<WorkerProcess> workers = new ArrayList<>();
            long started = System.nanoTime();
            for (int w = 0; w < WORKERS; w++) {
                workers.add(world.startWorker(
                        "node-" + w,
                        // why GIT_CLIENT=jgit: the git command starts six processes per clone, and starting a
                        // process is what costs most on these VMs (perf: git took 39 % of both cores in this case,
                        // more than the workers and analyzers together); JGit clones the 4-file repository in-process
                        Map.of(
                                "MAX_CONCURRENT_JOBS",
                                "2",
                                "LEASE_TIME",
                                "60000",
                                "HEARTBEAT_INTERVAL",
                                "15000",
                                "GIT_CLIENT",
                                "jgit")));
            }

            // why: a bound that grows with the count: 2 jobs/s at the least (measured with the machine's load at
            // 20-30: 5.9 jobs/s embedded, 3.2 on the local Convex server)
            await().atMost(Duration.ofSeconds(60 + jobs / 2))
                    .pollInterval(Duration.ofSeconds(1))
                    .failFast(() -> {
                        // why: the dead worker's own output is the only clue once its temp directory is gone
                        for (WorkerProcess worker : workers) {
                            assertThat(worker.isAlive())
                                    .as("worker %s died:%n%s", worker.name(), worker.output())
                                    .isTrue();
                        }
                    })
                    .until(() ->
                            world.queue().list(JobStatus.COMPLETED, jobs + 10).size() == jobs);
            double seconds = (System.nanoTime() - started) / 1e9;
            if (backend == Backend.CONVEX) {
                // why: the test server's cost per job (calls and subscription re-runs) is the Convex case's bound
                System.out.printf("chaos CONVEX: test server calls %s%n", CONVEX.calls(false));
            }
            workers.forEach(WorkerProcess::terminate);
            for (WorkerProcess worker : workers) {
                assertThat(worker.awaitExit(Duration.ofSeconds(30)))
                        .as(worker.name() + " exits cleanly on SIGTERM once the queue is empty")
                        .isZero();
            }
            System.out.printf(
                    "chaos %s: %d worker processes x 2 slots completed %d jobs in %.1f s: %.1f jobs/s%n",
                    backend, WORKERS, jobs, seconds, jobs / seconds);

            Set<String> completions = new HashSet<>();
            int lines = 0;
            for (WorkerProcess worker : workers) {
                Matcher matcher = COMPLETED.matcher(worker.output());
                while (matcher.find()) {
                    lines++;
                    completions.add(matcher.group(1));
                }
            }
            assertThat(lines)
                    .as("completions over all workers (duplicates counted)")
                    .isEqualTo(jobs);
            assertThat(completions).containsExactlyInAnyOrderElementsOf(ids);
            List<JobSnapshot> notCompleted = new ArrayList<>();
            for (JobStatus status : JobStatus.values()) {
                if (status != JobStatus.COMPLETED) {
                    notCompleted.addAll(world.queue().list(status, 10));
                }
            }
            assertThat(notCompleted).as("lost or stuck jobs").isEmpty();
            for (WorkerProcess worker : workers) {
                assertThat(worker.output()).doesNotContain(" ERROR ").doesNotContain("lease lost");
            }
        }
    }
}
