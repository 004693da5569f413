package io.fondation.worker.bench;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The embedded queue alone: {@code threads} threads claiming from one SQLite file until it is empty. */
final class ClaimRateBench {

    /** The figures of one run. */
    record Result(int threads, int jobs, double seconds, double claimsPerSecond, int duplicates) {}

    private final Path scratch;

    ClaimRateBench(Path scratch) {
        this.scratch = scratch;
    }

    Result run(int threads, int jobs) throws Exception {
        Path database = scratch.resolve("claims-" + threads + ".db");
        try (JobQueue queue = SqliteJobQueue.open(database, Clock.systemUTC())) {
            for (int i = 0; i < jobs; i++) {
                queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/widgets", null), "job " + i));
            }
            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long started = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = "claimer-" + t;
                running.add(pool.submit(() -> {
                    for (Optional<ClaimedJob> job = queue.claimOne(worker, Duration.ofMinutes(5));
                            job.isPresent();
                            job = queue.claimOne(worker, Duration.ofMinutes(5))) {
                        if (!seen.add(job.get().id())) {
                            duplicates.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            pool.shutdown();
            Result result = new Result(threads, seen.size(), seconds, seen.size() / seconds, duplicates.get());
            System.out.printf("BENCHMARK claim rate: %s%n", result);
            return result;
        }
    }
}
