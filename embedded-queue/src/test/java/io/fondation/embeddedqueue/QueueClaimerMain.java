package io.fondation.embeddedqueue;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A worker process for {@link SqliteMultiProcessTest}: opens the shared queue file, prints
 * {@code ready}, waits for {@code go} on stdin, then claims, heartbeats, saves a document and
 * completes jobs until none is left, printing {@code claimed <id>} for each and {@code done <n>} at
 * the end. Anything unexpected is printed as {@code problem ...}.
 *
 * <p>Arguments: the queue file and this worker's id.
 */
public final class QueueClaimerMain {

    private static final Duration LEASE = Duration.ofMinutes(5);

    private QueueClaimerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: QueueClaimerMain <queue file> <worker id>");
            System.exit(64);
        }
        Path file = Path.of(args[0]);
        String workerId = args[1];
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (SqliteJobQueue queue = SqliteJobQueue.open(file, Clock.systemUTC());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            out.println("ready");
            String signal = in.readLine();
            if (!"go".equals(signal)) {
                out.println("problem no go signal, got " + signal);
                System.exit(2);
            }
            int count = 0;
            Optional<ClaimedJob> next;
            while ((next = queue.claimOne(workerId, LEASE)).isPresent()) {
                ClaimedJob job = next.get();
                out.println("claimed " + job.id());
                if (!queue.heartbeat(job.lease(), JobStatus.ANALYZING, new Progress(1, 6, "step 1"), LEASE)
                        .leaseHeld()) {
                    out.println("problem lost lease " + job.id());
                }
                Document document = new Document(
                        "chapters/chapter_1_intro.md", "Intro", 1, DocumentKind.CHAPTER, "written by " + workerId);
                CompleteOutcome outcome = queue.complete(
                        job.lease(), new Completion(JobResult.of("done by " + workerId, 1), List.of(document), null));
                if (outcome != CompleteOutcome.COMPLETED) {
                    out.println("problem " + job.id() + " completed as " + outcome);
                }
                count++;
            }
            out.println("done " + count);
        }
    }
}
