package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Backoff POLL = Backoff.doubling(Duration.ofMillis(100), Duration.ofMinutes(1));

    @Test
    void waitsDoubleFromTheFirstUpToTheCap() {
        assertThat(POLL.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(POLL.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(POLL.delay(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(POLL.delay(10)).isEqualTo(Duration.ofMillis(51_200));
        assertThat(POLL.delay(11)).isEqualTo(Duration.ofMinutes(1));
        assertThat(POLL.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aMultiplierOfOneKeepsTheWaitAndZeroIsAllowed() {
        Backoff constant = new Backoff(Duration.ofSeconds(3), 1, Duration.ofSeconds(3), Backoff.Jitter.NONE);
        assertThat(constant.delay(1)).isEqualTo(constant.delay(50)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Backoff.doubling(Duration.ZERO, Duration.ofSeconds(1)).delay(7))
                .isZero();
    }

    @Test
    void equalJitterSpreadsAWaitOverItsUpperHalf() {
        Backoff reconnect = POLL.withJitter(Backoff.Jitter.EQUAL);
        assertThat(reconnect.delay(3, 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(reconnect.delay(3, 0.5)).isEqualTo(Duration.ofMillis(300));
        assertThat(reconnect.delay(3, 0.999_999)).isEqualTo(Duration.ofMillis(399));
        assertThat(POLL.delay(3, 0.7)).as("no jitter").isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aSequenceCountsItsRetriesAndStartsOverAfterASuccess() {
        Backoff.Sequence sequence = POLL.sequence();
        assertThat(sequence.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(sequence.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(sequence.retries()).isEqualTo(2);
        sequence.reset();
        assertThat(sequence.retries()).isZero();
        assertThat(sequence.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> Backoff.doubling(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2), Backoff.Jitter.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLL.delay(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLL.delay(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
