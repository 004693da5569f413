package io.fondation.convexqueue;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.JobResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker process for {@link ConcurrentClaimsAcrossJvmsTest}: claims and completes jobs on several
 * threads until none is left, printing {@code CLAIMED <jobId> <workerId> <outcome>} per job.
 * Arguments: {@code <deployment url> <worker id prefix> <threads>}; the worker secret comes from the
 * environment ({@code FONDATION_WORKER_SECRET}), never from the command line.
 */
public final class ClaimWorkerMain {

    private ClaimWorkerMain() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String prefix = args[1];
        int threads = Integer.parseInt(args[2]);
        AtomicInteger failures = new AtomicInteger();
        try (ConvexJobQueue queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(url).withWorkerSecret(System.getenv("FONDATION_WORKER_SECRET")),
                Clock.systemUTC())) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String workerId = prefix + "-" + t;
                Thread thread = new Thread(
                        () -> {
                            try {
                                Optional<ClaimedJob> next;
                                while ((next = queue.claimOne(workerId, Duration.ofMinutes(5))).isPresent()) {
                                    ClaimedJob job = next.get();
                                    CompleteOutcome outcome = queue.complete(job.lease(), JobResult.of("ok", 0));
                                    synchronized (System.out) {
                                        System.out.println("CLAIMED " + job.id() + " " + workerId + " " + outcome);
                                    }
                                }
                            } catch (RuntimeException e) {
                                failures.incrementAndGet();
                                e.printStackTrace();
                            }
                        },
                        workerId);
                thread.start();
                workers.add(thread);
            }
            for (Thread worker : workers) {
                worker.join();
            }
        }
        System.out.flush();
        System.exit(failures.get() == 0 ? 0 : 1);
    }
}
