package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.contract.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The queue of {@code run --once}: one claim through, everything else forwarded. */
class OneClaimQueueTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    private final MutableClock clock = MutableClock.startingAtDefault();

    @Test
    void letsOneClaimThroughAndTellsItOnce() {
        AtomicInteger told = new AtomicInteger();
        try (SqliteJobQueue real = SqliteJobQueue.inMemory(clock);
                OneClaimQueue queue = new OneClaimQueue(real, told::incrementAndGet)) {
            assertThat(queue.claimOne("w", LEASE)).as("nothing queued yet").isEmpty();
            assertThat(told).hasValue(0);
            String first = queue.enqueue(spec("a"));
            String second = queue.enqueue(spec("b"));

            assertThat(queue.claimOne("w", LEASE))
                    .hasValueSatisfying(job -> assertThat(job.id()).isEqualTo(first));
            assertThat(queue.claimOne("w", LEASE))
                    .as("the second claim finds nothing")
                    .isEmpty();

            assertThat(told).hasValue(1);
            assertThat(queue.claimedJob()).contains(first);
            assertThat(queue.closeClaims()).contains(first);
            assertThat(real.get(second).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
            assertThat(real.get(second).orElseThrow().attempts()).isZero();
        }
    }

    @Test
    void closedBeforeAnyClaimItClaimsNothing() {
        try (SqliteJobQueue real = SqliteJobQueue.inMemory(clock);
                OneClaimQueue queue = new OneClaimQueue(real, () -> {})) {
            String id = queue.enqueue(spec("a"));

            assertThat(queue.closeClaims()).isEmpty();

            assertThat(queue.claimOne("w", LEASE)).isEmpty();
            assertThat(real.get(id).orElseThrow().attempts()).isZero();
        }
    }

    private static JobSpec spec(String prompt) {
        return JobSpec.of(CloneSource.ofUrl("https://github.com/example/" + prompt, null), prompt);
    }
}
