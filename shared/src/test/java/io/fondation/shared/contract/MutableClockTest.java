package io.fondation.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MutableClockTest {

    @Test
    void standsStillUntilMoved() {
        MutableClock clock = MutableClock.startingAtDefault();
        assertThat(clock.instant()).isEqualTo(MutableClock.DEFAULT_START);
        assertThat(clock.millis()).isEqualTo(MutableClock.DEFAULT_START.toEpochMilli());

        assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(MutableClock.DEFAULT_START.plusSeconds(90));
        clock.set(Instant.parse("2030-05-06T07:08:09Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-05-06T07:08:09Z"));
    }

    @Test
    void zoneViewSharesTheTime() {
        MutableClock clock = MutableClock.startingAtDefault();
        var paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.advance(Duration.ofMinutes(1));
        assertThat(paris.instant()).isEqualTo(clock.instant());
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void concurrentAdvancesAreNotLost() throws Exception {
        MutableClock clock = MutableClock.startingAtDefault();
        CompletableFuture<?>[] tasks = new CompletableFuture<?>[4];
        for (int t = 0; t < tasks.length; t++) {
            tasks[t] = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10_000; i++) {
                    clock.advance(Duration.ofMillis(1));
                }
            });
        }
        CompletableFuture.allOf(tasks).get(30, TimeUnit.SECONDS);
        assertThat(clock.instant()).isEqualTo(MutableClock.DEFAULT_START.plusMillis(40_000));
    }
}
