package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.Checkpoint;
import io.fondation.shared.CheckpointBasis;
import io.fondation.shared.CheckpointFence;
import io.fondation.shared.CheckpointFile;
import io.fondation.shared.CheckpointWrite;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Convex checkpoints do beyond the shared contract: a checkpoint larger than one answer is read in pages, and
 * removals go in calls the function accepts.
 */
class ConvexJobQueueCheckpointTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final CheckpointBasis BASIS = new CheckpointBasis(
            "0123456789abcdef0123456789abcdef01234567", "fondation-cli", "2.3.1", "", CheckpointBasis.fingerprint("p"));

    private ConvexJobQueue queue;

    @BeforeEach
    void connect() {
        queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(CONVEX.url()).withWorkerSecret(LocalConvexServer.WORKER_SECRET),
                Clock.systemUTC());
    }

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void aCheckpointOfManyMegabytesIsReadBackWholeInPages() {
        String id = queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/big", "main"), "p"));
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        List<CheckpointFile> files = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            // 900 KiB each, different content so that a mixed-up page shows
            files.add(new CheckpointFile(
                    "chapters/chapter_" + i + "_big.md",
                    Character.toString('a' + i).repeat(900 * 1024)));
        }
        files.add(new CheckpointFile("step1_abstractions.yaml", "- name: Big\n"));
        for (CheckpointFile file : files) {
            assertThat(queue.saveCheckpointFile(job.lease(), BASIS, file, CheckpointFence.LEASE))
                    .isEqualTo(CheckpointWrite.SAVED);
        }
        CONVEX.calls(true);

        Checkpoint checkpoint = queue.openCheckpoint(job.lease()).orElseThrow();

        assertThat(checkpoint.files()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(checkpoint.contentBytes()).isEqualTo(6L * 900 * 1024 + 12);
        JsonNode calls = CONVEX.calls(false).path("calls").path("http");
        assertThat(calls.path("mutation").asInt()).as("checkpoints:open").isEqualTo(1);
        assertThat(calls.path("query").asInt()).as("two pages of files").isEqualTo(2);
        assertThat(queue.checkpoint(id)).contains(checkpoint);
    }

    @Test
    void manyRemovedPathsGoInSeveralCalls() {
        String id = queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/many", "main"), "p"));
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        List<String> paths = IntStream.rangeClosed(1, 20)
                .mapToObj(i -> "chapters/chapter_" + i + "_x.md")
                .toList();
        for (String path : paths) {
            queue.saveCheckpointFile(job.lease(), BASIS, new CheckpointFile(path, "# " + path), CheckpointFence.LEASE);
        }
        CONVEX.calls(true);

        assertThat(queue.removeCheckpointFiles(job.lease(), paths.subList(0, 19)))
                .isEqualTo(CheckpointWrite.SAVED);

        assertThat(CONVEX.calls(false)
                        .path("calls")
                        .path("http")
                        .path("mutation")
                        .asInt())
                .as("19 paths, at most %d per call", ConvexCheckpoints.MAX_PATHS_PER_REMOVE)
                .isEqualTo(3);
        assertThat(queue.checkpoint(id).orElseThrow().files())
                .extracting(CheckpointFile::path)
                .containsExactly(paths.get(19));
    }
}
