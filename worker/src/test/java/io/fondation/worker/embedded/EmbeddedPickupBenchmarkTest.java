package io.fondation.worker.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.engine.git.TestRepositories;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.worker.assembly.WorkerRuntime;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.e2e.TestAnalyzer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the pickup latency of the embedded queue (enqueue → claimed by a real {@code Worker}, whose poll loop
 * waits on the queue's push): for an enqueue in the worker's own process (the {@code dev} command, the HTTP
 * submission) and for one made through another connection to the same file, which SQLite treats like another
 * process (noticed through {@code PRAGMA data_version}). A job is enqueued only while a slot is free, so the figure
 * is the queue's and the loop's, not a wait for a slot. Not a timed test: it asserts only that every job was
 * claimed once. Run with {@code ./mvnw -Pbenchmarks -pl worker -am verify}.
 */
@Tag("benchmark")
class EmbeddedPickupBenchmarkTest {

    private static final int JOBS = 500;
    private static final int SLOTS = 4;

    @TempDir
    Path temp;

    @Test
    void pickupLatencyOfTheEmbeddedQueue() throws Exception {
        Path repository = TestRepositories.sample(temp.resolve("repo"));
        Path script = TestAnalyzer.install(temp.resolve("bin"));
        Path database = temp.resolve("queue.db");
        WorkerConfig config = WorkerConfigLoader.load(Map.ofEntries(
                Map.entry("HOME", temp.toString()),
                Map.entry("WORKER_ID", "pickup-bench"),
                Map.entry("QUEUE", "embedded"),
                Map.entry("EMBEDDED_DB_PATH", database.toString()),
                Map.entry("MAX_CONCURRENT_JOBS", String.valueOf(SLOTS)),
                Map.entry("TEMP_DIR", temp.resolve("tmp").toString()),
                Map.entry("MIN_FREE_DISK_MB", "0"),
                Map.entry("ALLOW_LOCAL_REPOSITORIES", "true"),
                Map.entry("ANALYZER", "command"),
                Map.entry("ANALYZER_COMMAND", TestAnalyzer.commandJson(script)),
                Map.entry("HEALTH_PORT", "-1")));
        Pickups pickups = new Pickups();
        try (WorkerRuntime runtime = WorkerRuntime.open(config, Clock.systemUTC(), pickups);
                SqliteJobQueue otherProcess = SqliteJobQueue.open(database, Clock.systemUTC())) {
            runtime.start();
            JobSpec spec = JobSpec.of(CloneSource.ofUrl(repository.toString(), null), "");
            List<Long> sameProcess = measure(runtime.queue(), spec, pickups);
            List<Long> fromOther = measure(otherProcess, spec, pickups);
            print("embedded push, same process", sameProcess);
            print("embedded push, another connection (another process)", fromOther);
            assertThat(pickups.claimedTwice).as("jobs claimed twice").isEmpty();
        }
    }

    /** Enqueues {@link #JOBS} jobs one by one, each while a slot is free, and returns enqueue → claimed in µs. */
    private static List<Long> measure(JobQueue queue, JobSpec spec, Pickups pickups) throws InterruptedException {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            assertThat(pickups.freeSlots.tryAcquire(60, TimeUnit.SECONDS))
                    .as("a free slot")
                    .isTrue();
            // why: a random pause, so that enqueues do not line up with the watcher's 100 ms tick.
            Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
            long enqueued = System.nanoTime();
            String id = queue.enqueue(spec);
            long claimed = pickups.awaitClaim(id);
            micros.add((claimed - enqueued) / 1_000);
        }
        pickups.freeSlots.acquire(SLOTS); // every job of this round has ended
        pickups.freeSlots.release(SLOTS);
        return micros;
    }

    private static void print(String what, List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "%s, %d jobs: pickup p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                what,
                sorted.size(),
                at(sorted, 0.50),
                at(sorted, 0.90),
                at(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1000.0);
    }

    private static double at(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(quantile * sorted.size()))) / 1000.0;
    }

    /** Claim times by job id, and the free slots (a job's slot is free again when its outcome is known). */
    private static final class Pickups implements WorkerListener {
        final Map<String, Long> claimedAt = new ConcurrentHashMap<>();
        final Set<String> claimedTwice = ConcurrentHashMap.newKeySet();
        final Semaphore freeSlots = new Semaphore(SLOTS);

        @Override
        public void onClaimed(ClaimedJob job) {
            if (claimedAt.putIfAbsent(job.id(), System.nanoTime()) != null) {
                claimedTwice.add(job.id());
            }
            synchronized (this) {
                notifyAll();
            }
        }

        @Override
        public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
            freeSlots.release();
        }

        synchronized long awaitClaim(String id) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!claimedAt.containsKey(id)) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("job " + id + " claimed within 30 s").isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return claimedAt.get(id);
        }
    }
}
