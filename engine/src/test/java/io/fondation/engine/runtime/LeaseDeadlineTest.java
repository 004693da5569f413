package io.fondation.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseDeadlineTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theDeadlineIsTheLastRenewalPlusTheLeaseMinusAMargin() {
        LeaseDeadline deadline = new LeaseDeadline(T0, Duration.ofMinutes(5));
        assertThat(deadline.margin()).isEqualTo(Duration.ofSeconds(30));
        assertThat(deadline.deadline()).isEqualTo(T0.plusSeconds(270));
        assertThat(deadline.passed(T0.plusSeconds(269))).isFalse();
        assertThat(deadline.passed(T0.plusSeconds(270))).isTrue();
    }

    @Test
    void renewalsMoveItForwardButNeverBack() {
        LeaseDeadline deadline = new LeaseDeadline(T0, Duration.ofMinutes(5));
        deadline.renewed(T0.plusSeconds(60));
        assertThat(deadline.deadline()).isEqualTo(T0.plusSeconds(330));
        deadline.renewed(T0.plusSeconds(10)); // a slow, older call finishing late
        assertThat(deadline.deadline()).isEqualTo(T0.plusSeconds(330));
    }

    @Test
    void theMarginIsATenthOfTheLeaseBetweenOneSecondAndAMinute() {
        assertThat(LeaseDeadline.marginFor(Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(60));
        assertThat(LeaseDeadline.marginFor(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(6));
        assertThat(LeaseDeadline.marginFor(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(1));
        // Very short leases (tests): a quarter, so that the deadline stays after the claim.
        assertThat(LeaseDeadline.marginFor(Duration.ofMillis(1000))).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theMarginLeavesTimeToKillTheAnalyzerBeforeTheLeaseEnds() {
        assertThat(LeaseDeadline.marginFor(Duration.ofSeconds(60), Duration.ofSeconds(10)))
                .as("kill grace plus a second, more than a tenth of the lease")
                .isEqualTo(Duration.ofSeconds(11));
        assertThat(LeaseDeadline.marginFor(Duration.ofMinutes(5), Duration.ofSeconds(10)))
                .as("a tenth of a long lease is already enough")
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(LeaseDeadline.marginFor(Duration.ofSeconds(4), Duration.ofSeconds(10)))
                .as("never more than half the lease")
                .isEqualTo(Duration.ofSeconds(2));
    }
}
