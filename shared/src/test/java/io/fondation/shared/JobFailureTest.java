package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobFailureTest {

    @Test
    void messageIsCappedAtFourKibOnACharacterBoundary() {
        String huge = "é".repeat(10_000);
        JobFailure failure = JobFailure.of(FailureKind.TRANSIENT, huge);
        assertThat(failure.message().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(JobFailure.MAX_MESSAGE_BYTES);
        assertThat(failure.message()).endsWith("[truncated]").startsWith("éé");
    }

    @Test
    void retryabilityFollowsTheKind() {
        assertThat(JobFailure.of(FailureKind.TIMEOUT, "t").retryable()).isTrue();
        assertThat(JobFailure.of(FailureKind.CONFIGURATION, "c").retryable()).isFalse();
    }
}
