package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.testing.FlakyTcpProxy;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real hardened functions behind a TCP proxy that can go down or lose responses: Convex
 * unreachable while jobs run must not lose a job or stop the worker.
 */
class ConvexOutageTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private FlakyTcpProxy proxy;
    private ConvexJobQueue queue;

    @BeforeEach
    void connectThroughProxy() {
        proxy = FlakyTcpProxy.to(CONVEX.url());
        queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(proxy.url())
                        .withWorkerSecret(LocalConvexServer.WORKER_SECRET)
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)),
                Clock.systemUTC());
    }

    @AfterEach
    void close() {
        queue.close();
        proxy.close();
    }

    private String enqueue(String name) {
        return queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/" + name, "main"), "prompt"));
    }

    @Test
    void whileTheDeploymentIsDownCallsFailTransientlyAndNothingIsLost() {
        String id = enqueue("widgets");
        ClaimedJob job = queue.claimOne("worker-a", Duration.ofMinutes(5)).orElseThrow();

        proxy.down();
        assertThatThrownBy(() -> queue.claimOne("worker-b", Duration.ofMinutes(5)))
                .isInstanceOfSatisfying(
                        JobQueueException.class,
                        e -> assertThat(e.isTransient()).isTrue());
        assertThatThrownBy(() -> queue.get(id))
                .isInstanceOfSatisfying(
                        JobQueueException.class,
                        e -> assertThat(e.isTransient()).isTrue());
        assertThatThrownBy(() -> queue.complete(job.lease(), JobResult.of("done", 0)))
                .isInstanceOfSatisfying(JobQueueException.class, e -> {
                    assertThat(e.isTransient()).isTrue();
                    assertThat(e.getMessage()).contains("complete job " + id);
                });
        assertThat(proxy.droppedConnections()).isPositive();

        proxy.up();
        assertThat(queue.complete(job.lease(), JobResult.of("done", 0))).isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(queue.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aHeartbeatIsSentOnceAndFailsTransientlySoItsCallerDecidesWhenToRetry() {
        String id = enqueue("widgets");
        ClaimedJob job = queue.claimOne("worker-a", Duration.ofSeconds(30)).orElseThrow();
        proxy.down();
        long droppedBefore = proxy.droppedConnections();

        assertThatThrownBy(() -> queue.heartbeat(
                        job.lease(), JobStatus.ANALYZING, new Progress(1, 6, "step 1"), Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(
                        JobQueueException.class,
                        e -> assertThat(e.isTransient()).isTrue());
        assertThat(proxy.droppedConnections() - droppedBefore)
                .as("one try: the worker's heartbeat, which knows the lease deadline, is the only retry layer")
                .isEqualTo(1);

        proxy.up();
        HeartbeatResult result =
                queue.heartbeat(job.lease(), JobStatus.ANALYZING, new Progress(1, 6, "step 1"), Duration.ofSeconds(30));
        assertThat(result.leaseHeld()).isTrue();
        assertThat(queue.get(id).orElseThrow().status()).isEqualTo(JobStatus.ANALYZING);
    }

    @Test
    void aClaimWhoseResponseWasLostIsRetriedAndReturnsTheSameJob() {
        enqueue("first");
        enqueue("second");

        proxy.loseResponses(1);
        ClaimedJob job = queue.claimOne("worker-a", Duration.ofMinutes(5)).orElseThrow();

        assertThat(proxy.lostResponses())
                .as("the first answer was lost, so the claim was sent twice")
                .isEqualTo(1);
        assertThat(queue.list(JobStatus.CLAIMED, 10)).extracting(s -> s.id()).containsExactly(job.id());
        assertThat(queue.list(JobStatus.PENDING, 10)).hasSize(1);
        assertThat(queue.heartbeat(job.lease(), null, null, Duration.ofMinutes(5))
                        .leaseHeld())
                .as("the lease token of the retried claim is the job's")
                .isTrue();
    }

    @Test
    void aCompleteWhoseResponseWasLostIsRetriedAndAnswersAlreadyCompleted() {
        String id = enqueue("gadgets");
        ClaimedJob job = queue.claimOne("worker-a", Duration.ofMinutes(5)).orElseThrow();

        proxy.loseResponses(1);
        CompleteOutcome outcome = queue.complete(job.lease(), JobResult.of("done", 0));

        assertThat(proxy.lostResponses())
                .as("the first answer was lost, so complete was sent twice")
                .isEqualTo(1);
        assertThat(outcome)
                .as("the retry found the job completed by this very lease")
                .isEqualTo(CompleteOutcome.ALREADY_COMPLETED);
        assertThat(queue.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aNonIdempotentEnqueueWhoseResponseWasLostIsNotRepeated() {
        proxy.loseResponses(1);

        assertThatThrownBy(() -> enqueue("once"))
                .isInstanceOfSatisfying(
                        JobQueueException.class,
                        e -> assertThat(e.isTransient()).isTrue());

        assertThat(proxy.lostResponses()).isEqualTo(1);
        assertThat(queue.list(null, 10))
                .as("the request ran once and was not sent again")
                .hasSize(1);
    }
}
