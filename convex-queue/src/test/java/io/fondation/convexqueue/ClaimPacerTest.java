package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClaimPacerTest {

    @Test
    void aLoneWorkerActsAtOnceALoserWaitsLongerAndAWinnerShorter() {
        ClaimPacer pacer = new ClaimPacer(Duration.ofMillis(1000));
        assertThat(pacer.delay()).isZero();
        pacer.claimed(false);
        assertThat(pacer.spreadMillis()).isEqualTo(ClaimPacer.STEP);
        for (int i = 0; i < 10; i++) {
            pacer.claimed(false);
        }
        assertThat(pacer.spreadMillis()).isEqualTo(1000);
        for (int i = 0; i < 100; i++) {
            assertThat(pacer.delay()).isLessThan(Duration.ofMillis(1000));
        }
        pacer.claimed(true);
        assertThat(pacer.spreadMillis()).isEqualTo(500);
        for (int i = 0; i < 6; i++) {
            pacer.claimed(true);
        }
        assertThat(pacer.spreadMillis()).isZero();
        assertThat(pacer.delay()).isZero();
    }
}
