package io.fondation.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.contract.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health the worker's events make, as {@code /health} reports it. */
class HealthTrackerTest {

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final HealthTracker tracker =
            new HealthTracker(clock, "w1", 2, Duration.ofMinutes(1), Duration.ofSeconds(15));

    private WorkerHealth health(boolean polling) {
        return tracker.snapshot("running", polling, () -> 1, java.util.Optional.empty(), false);
    }

    @Test
    void aPollingWorkerIsHealthyHoweverLongItIdles() {
        tracker.publish(new WorkerEvent.Started(clock.instant()));
        tracker.publish(new WorkerEvent.ClaimAnswered(false));
        clock.advance(Duration.ofHours(12));
        tracker.publish(new WorkerEvent.ClaimAnswered(false));
        WorkerHealth health = health(true);
        assertThat(health.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(health.uptime()).isEqualTo(Duration.ofHours(12));
        assertThat(health.lastPollAt()).isEqualTo(clock.instant());
        assertThat(health.activeJobs()).isEqualTo(1);
        assertThat(health.maxConcurrentJobs()).isEqualTo(2);
    }

    @Test
    void queueErrorsDegradeUntilPollsSucceedAndTheWindowPasses() {
        tracker.publish(new WorkerEvent.Started(clock.instant()));
        tracker.publish(new WorkerEvent.ClaimFailed("unreachable"));
        assertThat(health(true).status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(health(true).consecutivePollFailures()).isEqualTo(1);
        assertThat(health(true).lastError()).isEqualTo("claim failed: unreachable");

        tracker.publish(new WorkerEvent.ClaimAnswered(false));
        assertThat(health(true).status()).isEqualTo(HealthStatus.DEGRADED); // recent error
        clock.advance(Duration.ofSeconds(61));
        assertThat(health(true).status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(health(true).lastError()).isEqualTo("claim failed: unreachable"); // still reported
    }

    @Test
    void heartbeatErrorsDegradeToo() {
        tracker.publish(new WorkerEvent.Started(clock.instant()));
        tracker.publish(new WorkerEvent.HeartbeatFailed("job-1", "unreachable"));
        assertThat(health(true).status()).isEqualTo(HealthStatus.DEGRADED);
    }

    @Test
    void aWorkerThatDoesNotPollIsUnhealthy() {
        tracker.publish(new WorkerEvent.Started(clock.instant()));
        tracker.publish(new WorkerEvent.ClaimAnswered(true));
        assertThat(health(false).status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(health(false).lastClaimAt()).isEqualTo(clock.instant());
    }

    @Test
    void theErrorWindowIsThreePollIntervalsAtLeastAMinute() {
        assertThat(HealthTracker.errorWindowFor(Duration.ofSeconds(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(HealthTracker.errorWindowFor(Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(6));
    }
}
