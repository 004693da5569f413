package io.fondation.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.embeddedqueue.SqliteJobQueue;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.contract.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue depth gauges follow the embedded queue's counts, go NaN while counting fails, and recover. */
class QueueDepthTest {

    private static final Duration FAST = Duration.ofMillis(20);

    private final MutableClock clock = MutableClock.startingAtDefault();
    private final SqliteJobQueue sqlite = SqliteJobQueue.inMemory(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        sqlite.close();
    }

    private double gauge(String status) {
        return registry.get(QueueDepth.NAME).tag("status", status).gauge().value();
    }

    private void enqueue(String name) {
        sqlite.enqueue(JobSpec.of(CloneSource.ofFullName("acme/" + name, null), ""));
    }

    @Test
    void gaugesFollowTheCountsByStatus() {
        enqueue("a");
        enqueue("b");
        try (QueueDepth depth = QueueDepth.start(sqlite, registry, FAST)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge("pending") == 2);
            assertThat(registry.find(QueueDepth.NAME).gauges()).hasSize(JobStatus.values().length);
            assertThat(gauge("dead")).isZero();

            sqlite.cancel(sqlite.list(JobStatus.PENDING, 1).get(0).id());
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge("pending") == 1 && gauge("canceled") == 1);
        }
    }

    private double depthGauge(String count) {
        return registry.get(QueueDepth.DEPTH).tag("count", count).gauge().value();
    }

    @Test
    void depthGaugesFollowTheQueuesDepthAtTheClocksInstant() {
        enqueue("a");
        sqlite.enqueue(JobSpec.of(CloneSource.ofFullName("acme/later", null), "")
                .withRunAt(clock.instant().plus(Duration.ofMinutes(10))));
        sqlite.claimOne("w", Duration.ofMinutes(30)).orElseThrow();
        try (QueueDepth depth = QueueDepth.start(sqlite, registry, FAST, clock)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> depthGauge("running") == 1);
            assertThat(depthGauge("pending")).isEqualTo(1);
            assertThat(depthGauge("due")).as("the other job is not due yet").isZero();
            assertThat(depthGauge("paused")).isZero();
            assertThat(registry.get(QueueDepth.WANTED).gauge().value()).isEqualTo(1);

            clock.advance(Duration.ofMinutes(11));
            await().atMost(Duration.ofSeconds(10)).until(() -> depthGauge("due") == 1);
            assertThat(registry.get(QueueDepth.WANTED).gauge().value()).isEqualTo(2);
            assertThat(depth.lastDepth())
                    .hasValueSatisfying(d -> assertThat(d.wanted()).isEqualTo(2));
        }
    }

    @Test
    void aFailingCountShowsNaNUntilCountingWorksAgain() {
        AtomicBoolean down = new AtomicBoolean(true);
        enqueue("a");
        try (QueueDepth depth = QueueDepth.start(failingWhile(down), registry, FAST)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> Double.isNaN(gauge("pending")));
            down.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge("pending") == 1);
            down.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> Double.isNaN(gauge("pending")));
        }
    }

    @Test
    void aQueueThatCannotCountGetsNoGauges() {
        JobQueue cannotCount = withCount(() -> Optional.empty());
        try (QueueDepth depth = QueueDepth.start(cannotCount, registry, FAST)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.find(QueueDepth.NAME).gauges().isEmpty());
        }
    }

    /** The SQLite queue, whose count throws while {@code down} is set. */
    private JobQueue failingWhile(AtomicBoolean down) {
        return withCount(() -> {
            if (down.get()) {
                throw new JobQueueException("the queue is unreachable", true);
            }
            return sqlite.countByStatus();
        });
    }

    /** The SQLite queue with another {@link JobQueue#countByStatus()}. */
    private JobQueue withCount(Supplier<Optional<Map<JobStatus, Long>>> count) {
        return (JobQueue) Proxy.newProxyInstance(
                JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class}, (proxy, method, args) -> {
                    if (method.getName().equals("countByStatus")) {
                        return count.get();
                    }
                    try {
                        return method.invoke(sqlite, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
