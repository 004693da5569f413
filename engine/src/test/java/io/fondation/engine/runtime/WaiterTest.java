package io.fondation.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WaiterTest {

    @Test
    void aWakeBeforeTheWaitSkipsIt() throws Exception {
        Waiter waiter = new Waiter();
        waiter.wake();
        long started = System.nanoTime();
        assertThat(waiter.await(Duration.ofMinutes(10))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // The wake is used up: the next wait runs out.
        assertThat(waiter.await(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void aWakeEndsAWaitInProgress() throws Exception {
        Waiter waiter = new Waiter();
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return waiter.await(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            waiter.wake();
            return woken.isDone();
        });
        assertThat(woken.get(1, TimeUnit.SECONDS)).isTrue();
    }
}
