package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Compatibility mode with {@code CONVEX_DEPLOY_KEY}: the worker runs the existing deployment's internal
 * {@code queue:reclaimExpired} itself (the deployment never schedules it). Against the legacy fixture, whose reclaim,
 * like the real one, spends an attempt on each job it puts back ({@code lastError 'Lease expired - worker likely
 * crashed'}): so does a release, since the existing functions have none, and the log says so.
 */
class ConvexJobQueueLegacyReclaimTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    /** Short enough for the schedule to run every second (a quarter lease, at least 1 s). */
    private static final Duration LEASE = Duration.ofSeconds(4);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private ConvexClient webApp;
    private WebAppFixtures web;
    private String jobId;

    @BeforeEach
    void setUp() {
        logs.start();
        root.addAppender(logs);
        web = WebAppFixtures.seed(LEGACY, null, "acme/widgets", "main");
        webApp = ConvexClient.builder().url(LEGACY.url()).build();
        jobId = web.createJobLikeTheWebApp(webApp, "Write a course");
    }

    @AfterEach
    void tearDown() {
        root.detachAppender(logs);
        webApp.close();
    }

    private ConvexJobQueue connect(boolean deployKey) {
        ConvexQueueSettings settings = ConvexQueueSettings.of(LEGACY.url());
        return ConvexJobQueue.connect(
                deployKey ? settings.withDeployKey(LocalConvexServer.ADMIN_KEY) : settings, Clock.systemUTC());
    }

    private JsonNode row(String id) {
        return webApp.query("jobs:getJob", Map.of("jobId", id));
    }

    @Test
    void withADeployKeyTheStartUpWarningNamesOnlyWhatIsStillMissing() {
        try (ConvexJobQueue queue = connect(true)) {
            assertThat(queue.mode()).isEqualTo(QueueMode.LEGACY);
            assertThat(String.join("\n", queue.missingFeatures()))
                    .doesNotContain("expired leases are not reclaimed")
                    .contains("expired leases are reclaimed by the workers")
                    .contains("spends an attempt on each job it puts back")
                    .contains("no release: a job given back (shutdown, a fault of this worker) goes through"
                            + " queue:reclaimExpired, which spends an attempt")
                    .contains("no lease fencing token");
            assertThat(logs.list)
                    .filteredOn(e -> e.getLevel() == Level.WARN)
                    .singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage())
                            .contains("LEGACY")
                            .contains("reclaimed by the workers")
                            .contains("'Lease expired - worker likely crashed'"));
            assertThat(queue.releaseSpendsAttempt()).isTrue();
        }
        try (ConvexJobQueue queue = connect(false)) {
            assertThat(queue.missingFeatures())
                    .anySatisfy(f -> assertThat(f).startsWith("no release").contains("queue:retryOrFail"))
                    .anySatisfy(f -> assertThat(f).startsWith("expired leases are not reclaimed"));
        }
    }

    @Test
    void aReleaseGoesBackThroughTheExistingReclaimDueAtOnceAndSaysThatItSpentAnAttempt() {
        try (ConvexJobQueue queue = connect(true)) {
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            webApp.mutation("queue:heartbeat", Map.of("jobId", jobId, "workerId", "worker-a", "status", "analyzing"));

            assertThat(queue.release(job.lease())).isTrue();

            JsonNode released = row(jobId);
            assertThat(released.get("status").asText()).isEqualTo("pending");
            assertThat(released.has("lockedBy")).isFalse();
            assertThat(released.get("attempts").asInt())
                    .as("the existing reclaim spends an attempt (the web app's job had none)")
                    .isEqualTo(1);
            assertThat(released.get("lastError").asText()).isEqualTo("Lease expired - worker likely crashed");
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line)
                            .contains("Job " + jobId + ": given back (the existing functions have no release): 1 job")
                            .contains(
                                    "spends one attempt on each (lastError 'Lease expired - worker likely crashed')"));
            assertThat(queue.heartbeat(job.lease(), JobStatus.RUNNING, null, LEASE)
                            .leaseHeld())
                    .isFalse();
            ClaimedJob again = queue.claimOne("worker-b", LEASE).orElseThrow();
            assertThat(again.id()).as("due at once").isEqualTo(jobId);
            assertThat(again.attempt()).isEqualTo(2);
        }
    }

    @Test
    void withoutADeployKeyAReleaseGoesThroughRetryOrFailAndItsLastAttemptKillsTheJob() {
        try (ConvexJobQueue queue = connect(false)) {
            assertThat(queue.releaseSpendsAttempt()).isTrue();
            for (int attempt = 1; attempt <= 4; attempt++) {
                ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
                assertThat(queue.release(job.lease())).isTrue();
                assertThat(row(jobId).get("attempts").asInt()).isEqualTo(attempt);
                assertThat(row(jobId).get("status").asText()).isEqualTo("pending");
                LEGACY.advanceClock(Duration.ofMinutes(11)); // past the longest backoff
            }
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(
                            line -> assertThat(line)
                                    .contains(
                                            "Job " + jobId + ": given back through"
                                                    + " queue:retryOrFail (the existing functions have no release), which spent an attempt"));
            ClaimedJob last = queue.claimOne("worker-a", LEASE).orElseThrow();
            assertThat(queue.release(last.lease())).isTrue();
            assertThat(row(jobId).get("status").asText()).isEqualTo("dead");
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("which spent its last attempt: it is dead now"));
        }
    }

    @Test
    void aLeaseThatEndedBeforeStartUpIsReclaimedAtStartUpAndTheLogSaysItCostAnAttempt() {
        try (ConvexJobQueue crashed = connect(false)) {
            crashed.claimOne("worker-dead", LEASE).orElseThrow();
        }
        LEGACY.advanceClock(LEASE.plusSeconds(1));
        try (ConvexJobQueue queue = connect(true)) {
            JsonNode row = row(jobId);
            assertThat(row.get("status").asText()).isEqualTo("pending");
            assertThat(row.get("attempts").asInt()).isEqualTo(1);
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line)
                            .endsWith(": at start-up, 1 job whose lease ended went back to pending through"
                                    + " queue:reclaimExpired, which spends one attempt on each (lastError 'Lease"
                                    + " expired - worker likely crashed')"));
            assertThat(queue.claimOne("worker-alive", LEASE).orElseThrow().attempt())
                    .isEqualTo(2);
        }
    }

    @Test
    void releaseOfAJobNoLongerHeldIsRefusedAndChangesNothing() {
        try (ConvexJobQueue queue = connect(true)) {
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            webApp.mutation("jobs:requestCancel", Map.of("jobId", jobId));

            assertThat(queue.release(job.lease())).isFalse();
            assertThat(row(jobId).get("status").asText()).isEqualTo("canceled");
        }
    }

    /** Chaos case 1 in compatibility mode: a worker killed mid-job; another one picks the job up. */
    @Test
    void aCrashedWorkersJobIsReclaimedByTheScheduleOfAnotherWorker() {
        ConvexJobQueue crashed = connect(true);
        ClaimedJob lost = crashed.claimOne("worker-dead", LEASE).orElseThrow();
        HeartbeatResult beat = crashed.heartbeat(lost.lease(), JobStatus.ANALYZING, null, LEASE);
        assertThat(beat.leaseHeld()).isTrue();
        crashed.close(); // as by kill -9: no release, no more heartbeats, its schedule gone

        try (ConvexJobQueue survivor = connect(true)) {
            assertThat(survivor.claimOne("worker-alive", LEASE))
                    .as("the lease still runs")
                    .isEmpty();
            LEGACY.advanceClock(LEASE.plusSeconds(1));

            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> "pending".equals(row(jobId).get("status").asText()));
            JsonNode reclaimed = row(jobId);
            assertThat(reclaimed.get("attempts").asInt())
                    .as("the reclaim spends an attempt")
                    .isEqualTo(1);
            assertThat(reclaimed.get("lastError").asText()).isEqualTo("Lease expired - worker likely crashed");
            ClaimedJob taken = survivor.claimOne("worker-alive", LEASE).orElseThrow();
            assertThat(taken.id()).isEqualTo(jobId);
            assertThat(taken.attempt()).as("the crashed attempt counted").isEqualTo(2);
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .as("the log says what the function did")
                    .anySatisfy(line -> assertThat(line)
                            .isEqualTo("1 job whose lease ended went back to pending through queue:reclaimExpired,"
                                    + " which spends one attempt on each (lastError 'Lease expired - worker likely"
                                    + " crashed')"));
            assertThat(logs.list)
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .allSatisfy(message -> assertThat(message).contains("LEGACY"));
        }
    }

    @Test
    void withoutADeployKeyNothingReclaims() {
        try (ConvexJobQueue queue = connect(false)) {
            queue.claimOne("worker-dead", LEASE).orElseThrow();
            LEGACY.advanceClock(LEASE.multipliedBy(10));
            assertThat(queue.claimOne("worker-alive", LEASE))
                    .as("the existing claimOne never takes over an expired lease")
                    .isEmpty();
            assertThat(row(jobId).get("status").asText()).isEqualTo("claimed");
        }
    }

    @Test
    void theScheduleRunsEveryQuarterLeaseFromOneSecondToOneMinute() {
        assertThat(ExpiredLeaseReclaimer.period(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ExpiredLeaseReclaimer.period(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(15));
        assertThat(ExpiredLeaseReclaimer.period(Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(1));
    }
}
