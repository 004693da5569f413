package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final RetryPolicy policy = RetryPolicy.DEFAULT;

    @Test
    void backoffDoublesFromFiveSecondsAndCapsAtTenMinutes() {
        assertThat(policy.backoff(1, 0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.backoff(2, 0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(3, 0)).isEqualTo(Duration.ofSeconds(20));
        assertThat(policy.backoff(8, 0)).isEqualTo(Duration.ofSeconds(600));
        assertThat(policy.backoff(7, 0)).isEqualTo(Duration.ofSeconds(320));
        assertThat(policy.backoff(1_000, 0)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void jitterAddsUpToFiveSeconds() {
        assertThat(policy.backoff(1, 0.5)).isEqualTo(Duration.ofMillis(7_500));
        assertThat(policy.backoff(1, 0.999_999)).isEqualTo(Duration.ofMillis(9_999));
        assertThatThrownBy(() -> policy.backoff(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy.backoff(0, 0)).hasMessageContaining("attempts");
    }

    @Test
    void retryableFailureIsRetriedWithBackoffUntilAttemptsRunOut() {
        JobFailure failure = JobFailure.of(FailureKind.TRANSIENT, "boom");
        assertThat(policy.decide(0, 5, failure, NOW, 0)).isEqualTo(new RetryDecision.Retrying(NOW.plusSeconds(5), 1));
        assertThat(policy.decide(3, 5, failure, NOW, 0)).isEqualTo(new RetryDecision.Retrying(NOW.plusSeconds(40), 4));
        assertThat(policy.decide(4, 5, failure, NOW, 0)).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, 5));
        assertThat(policy.decide(0, 1, failure, NOW, 0)).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, 1));
    }

    @Test
    void nonRetryableFailureFailsAtOnce() {
        assertThat(policy.decide(0, 5, JobFailure.of(FailureKind.AUTHENTICATION, "expired token"), NOW, 0))
                .isEqualTo(new RetryDecision.GaveUp(JobStatus.FAILED, 1));
        assertThat(policy.decide(0, 5, JobFailure.of(FailureKind.INVALID_INPUT, "no such branch"), NOW, 0))
                .isEqualTo(new RetryDecision.GaveUp(JobStatus.FAILED, 1));
    }

    @Test
    void rateLimitHintLengthensTheDelay() {
        JobFailure limited = new JobFailure(FailureKind.RATE_LIMITED, "429", Duration.ofMinutes(2));
        assertThat(policy.decide(0, 5, limited, NOW, 0))
                .isEqualTo(new RetryDecision.Retrying(NOW.plus(Duration.ofMinutes(2)), 1));
        // A later attempt whose backoff exceeds the hint keeps the backoff.
        assertThat(policy.decide(3, 9, limited, NOW, 0))
                .isEqualTo(new RetryDecision.Retrying(NOW.plusSeconds(40).plus(Duration.ofSeconds(80)), 4));
    }

    @Test
    void expiredLeaseSpendsAnAttempt() {
        assertThat(policy.afterExpiredLease(0, 5)).isEqualTo(JobStatus.PENDING);
        assertThat(policy.afterExpiredLease(4, 5)).isEqualTo(JobStatus.DEAD);
    }

    @Test
    void invalidPolicyIsRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
