package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.DepthCounts.Count;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DepthCountsTest {

    @Test
    void workersWantedIsDuePlusRunningOverTheSlotsOfAWorkerRoundedUp() {
        DepthCounts counts = DepthCounts.exact(40, 5, 2, 0);
        assertThat(counts.wanted())
                .as("pending does not count: most of it is not due")
                .isEqualTo(7);
        assertThat(counts.workersWanted(1)).isEqualTo(7);
        assertThat(counts.workersWanted(3)).isEqualTo(3);
        assertThat(counts.workersWanted(7)).isEqualTo(1);
        assertThat(counts.workersWanted(8)).isEqualTo(1);
        assertThat(DepthCounts.exact(3, 0, 0, 1).workersWanted(4))
                .as("nothing due, nothing running: zero workers")
                .isZero();
        assertThat(DepthCounts.exact(0, 0, 3, 0).workersWanted(2))
                .as("every job claimed: the busy workers are still wanted")
                .isEqualTo(2);
        assertThatThrownBy(() -> counts.workersWanted(0)).hasMessageContaining("slotsPerWorker");
    }

    @Test
    void countsAreNeverNegativeAndTheCappedSetIsACopy() {
        assertThatThrownBy(() -> DepthCounts.exact(-1, 0, 0, 0)).hasMessageContaining("pending");
        assertThatThrownBy(() -> DepthCounts.exact(0, 0, 0, -2)).hasMessageContaining("paused");
        Set<Count> capped = EnumSet.of(Count.PENDING, Count.DUE);
        DepthCounts counts = new DepthCounts(100, 100, 3, 0, capped);
        capped.add(Count.RUNNING);
        assertThat(counts.isCapped(Count.DUE)).isTrue();
        assertThat(counts.isCapped(Count.RUNNING)).isFalse();
        assertThatThrownBy(() -> counts.capped().add(Count.PAUSED)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(DepthCounts.exact(1, 1, 0, 0)).isEqualTo(new DepthCounts(1, 1, 0, 0, EnumSet.noneOf(Count.class)));
    }
}
