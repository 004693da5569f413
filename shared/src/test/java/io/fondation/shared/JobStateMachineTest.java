package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobStateMachineTest {

    @Test
    void pendingCanOnlyBeClaimedCanceledOrEnded() {
        assertThat(JobStateMachine.canTransition(JobStatus.PENDING, JobStatus.CLAIMED))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.PENDING, JobStatus.CANCELED))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.PENDING, JobStatus.COMPLETED))
                .isFalse();
        assertThat(JobStateMachine.canTransition(JobStatus.PENDING, JobStatus.ANALYZING))
                .isFalse();
    }

    @Test
    void workPhasesFollowEachOtherAndEnd() {
        assertThat(JobStateMachine.canTransition(JobStatus.CLAIMED, JobStatus.CLONING))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.CLONING, JobStatus.ANALYZING))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.ANALYZING, JobStatus.ANALYZING))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.GATHERING, JobStatus.COMPLETED))
                .isTrue();
        assertThat(JobStateMachine.canTransition(JobStatus.RUNNING, JobStatus.PENDING))
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(
            value = JobStatus.class,
            names = {"COMPLETED", "FAILED", "CANCELED", "DEAD"})
    void terminalStatusesNeverChange(JobStatus terminal) {
        for (JobStatus to : JobStatus.values()) {
            assertThat(JobStateMachine.canTransition(terminal, to))
                    .as("%s -> %s", terminal, to)
                    .isFalse();
        }
        assertThatThrownBy(() -> JobStateMachine.requireTransition(terminal, JobStatus.COMPLETED))
                .hasMessageContaining(terminal.wireName());
    }

    @Test
    void canceledIsNeverOverwrittenByComplete() {
        assertThat(JobStateMachine.canTransition(JobStatus.CANCELED, JobStatus.COMPLETED))
                .isFalse();
    }

    @Test
    void wireNamesRoundTrip() {
        for (JobStatus status : JobStatus.values()) {
            assertThat(JobStatus.fromWire(status.wireName())).isEqualTo(status);
        }
        assertThatThrownBy(() -> JobStatus.fromWire("exploded")).hasMessageContaining("exploded");
    }
}
