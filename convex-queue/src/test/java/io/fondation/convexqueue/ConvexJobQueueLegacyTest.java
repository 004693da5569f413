package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.TokenEncryption;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.shared.CheckpointSupport;
import io.fondation.shared.ClaimRequest;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.FleetSupport;
import io.fondation.shared.GitCredentials;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Compatibility mode against the legacy fixture, which behaves like the existing deployment:
 * detection and its warning, then a job's whole life through exactly the existing functions.
 */
class ConvexJobQueueLegacyTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    private static final String TOKEN = "gh-test-token";
    private static final Duration LEASE = Duration.ofMinutes(5);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger queueLogger = (Logger) LoggerFactory.getLogger(ConvexJobQueue.class);
    private ConvexJobQueue queue;
    private ConvexClient webApp;
    private WebAppFixtures web;
    private String jobId;

    @BeforeEach
    void setUp() {
        logs.start();
        queueLogger.addAppender(logs);
        web = WebAppFixtures.seed(
                LEGACY, TokenEncryption.encrypt(TOKEN, TokenEncryption.TEST_KEY), "acme/widgets", "main");
        webApp = ConvexClient.builder().url(LEGACY.url()).build();
        jobId = web.createJobLikeTheWebApp(webApp, "Write a course");
        queue = ConvexJobQueue.connect(
                ConvexQueueSettings.of(LEGACY.url()).withEncryptionKey(TokenEncryption.TEST_KEY), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        queueLogger.detachAppender(logs);
        queue.close();
        webApp.close();
    }

    private JsonNode row(String id) {
        return webApp.query("jobs:getJob", Map.of("jobId", id));
    }

    @Test
    void detectsTheLegacyFunctionsAndWarnsWhatIsMissing() {
        assertThat(queue.mode()).isEqualTo(QueueMode.LEGACY);
        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("LEGACY")
                        .contains("no lease fencing token")
                        .contains("no release")
                        .contains("no server-side worker secret")
                        .contains("expired leases are not reclaimed")
                        .contains("no checkpoints")
                        .contains("reruns its analysis from the start")
                        .contains("no fair claims, LLM pauses or budgets"));
    }

    @Test
    void keepsNoFairClaimsPausesOrBudgetsAndClaimsAsTodayWhenAskedFor() {
        FleetSupport support = queue.fleetSupport();
        assertThat(support.features()).isEmpty();
        assertThat(support.reason()).contains("existing Convex functions keep no fair claims, LLM pauses or budgets");
        // The legacy functions refuse arguments they do not declare: a claim naming a credential and a cap
        // claims only because neither is sent.
        ClaimedJob job = queue.claimOne(ClaimRequest.of("worker-a", LEASE)
                        .withCredential("sha256:0123456789abcdef0123456789abcdef")
                        .withDefaultMaxCostUsd(new BigDecimal("1.00")))
                .job()
                .orElseThrow();
        assertThat(job.id()).isEqualTo(jobId);
        assertThat(job.claimTerms())
                .as("the functions say nothing of users or budgets")
                .isEmpty();
        assertThatThrownBy(() -> queue.recordPause(
                        "worker-a", "sha256:0123456789abcdef0123456789abcdef", LlmLimitKind.RATE_LIMIT, null))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(support.reason());
        assertThatThrownBy(() -> queue.pauses()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(queue.retryOrFail(
                        job.lease(),
                        JobFailure.of(FailureKind.ANALYZER_FAILED, "failed"),
                        null,
                        new BigDecimal("0.40")))
                .as("the cost is dropped, the failure recorded as today")
                .isInstanceOf(RetryDecision.Retrying.class);
    }

    @Test
    void keepsNoCheckpointsAndSaysWhy() {
        CheckpointSupport support = queue.checkpointSupport();
        assertThat(support.supported()).isFalse();
        assertThat(support.reason())
                .contains("existing Convex functions keep no checkpoints")
                .contains("reruns its analysis from the start");
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        assertThatThrownBy(() -> queue.openCheckpoint(job.lease()))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(support.reason());
        assertThatThrownBy(() -> queue.checkpoint(jobId)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void countsJobsByStatusThroughTheExistingMetricsQueryAndTellsNoDueTime() {
        assertThat(queue.countByStatus().orElseThrow())
                .containsEntry(JobStatus.PENDING, 1L)
                .containsEntry(JobStatus.CLAIMED, 0L)
                .containsEntry(JobStatus.DEAD, 0L);
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        assertThat(job.dueAt()).as("the existing claimOne answers no runAt").isNull();
        assertThat(queue.countByStatus().orElseThrow())
                .containsEntry(JobStatus.PENDING, 0L)
                .containsEntry(JobStatus.CLAIMED, 1L);
    }

    @Test
    void cannotCountItsDepthAgainstTheExistingFunctions() {
        // why empty and not getMetrics: its counts say nothing of which pending jobs are due
        assertThat(queue.depth(Instant.now())).isEmpty();
    }

    @Test
    void aJobRunsItsWholeLifeThroughTheExistingFunctions() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        assertThat(job.id()).isEqualTo(jobId);
        assertThat(job.source()).isEqualTo(CloneSource.ofFullName("acme/widgets", "main"));
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.prompt()).isEqualTo("Write a course");
        assertThat(row(jobId).get("lockedBy").asText()).isEqualTo("worker-a");
        // The legacy functions count an attempt when it fails: the row says 0, the worker shows the running one.
        assertThat(row(jobId).path("attempts").asInt(0)).isZero();
        assertThat(queue.get(jobId).orElseThrow().attempts())
                .as("attempt 1 runs")
                .isEqualTo(job.attempt())
                .isEqualTo(1);

        GitCredentials credentials = queue.cloneCredentials(job).orElseThrow();
        assertThat(credentials.password().reveal()).isEqualTo(TOKEN);

        Progress progress = new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants");
        HeartbeatResult beat = queue.heartbeat(job.lease(), JobStatus.ANALYZING, progress, LEASE);
        assertThat(beat.leaseHeld()).isTrue();
        assertThat(beat.cancelRequested()).isFalse();
        JsonNode analyzing = row(jobId);
        assertThat(analyzing.get("status").asText()).isEqualTo("analyzing");
        assertThat(analyzing.get("progress").asText()).isEqualTo(progress.message());
        assertThat(analyzing.get("currentStep").asDouble()).isEqualTo(2.0);

        List<Document> documents = List.of(
                new Document(
                        "chapters/chapter_2_parser.md", "Chapter 2", 2, DocumentKind.CHAPTER, "# Chapter 2: Parser"),
                new Document("step1_abstractions.yaml", "Abstractions", null, DocumentKind.YAML, "{\"a\":1}"),
                new Document(
                        "chapters/chapter_1_intro.md", "Chapter 1", 1, DocumentKind.CHAPTER, "# Chapter 1: Intro"));
        assertThat(queue.complete(
                        beat.lease(),
                        new Completion(new JobResult("3 documents", 3, Map.of("turns", 7)), documents, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);
        assertThat(queue.documents(jobId)).containsExactly(documents.get(1), documents.get(2), documents.get(0));
        JsonNode docs = webApp.query("docs:listByJobId", Map.of("jobId", jobId));
        assertThat(docs)
                .allSatisfy(d -> assertThat(d.get("repositoryId").asText()).isEqualTo(web.repositoryId()));
        JsonNode completed = row(jobId);
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.get("docsCount").asDouble()).isEqualTo(3.0);
        assertThat(completed.get("result").get("message").asText()).isEqualTo("3 documents");
        assertThat(completed.has("lockedBy")).isFalse();
        assertThat(completed.toString()).doesNotContain(TOKEN);
    }

    @Test
    void aFailureIsRetriedWithTheExistingBackoff() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        Instant before = Instant.now();

        RetryDecision decision = queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.TRANSIENT, "network down"));

        assertThat(decision).isInstanceOfSatisfying(RetryDecision.Retrying.class, r -> {
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.nextRunAt())
                    .isBetween(before.plusSeconds(5), Instant.now().plusSeconds(10));
        });
        JsonNode pending = row(jobId);
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("lastError").asText()).isEqualTo("network down");
        assertThat(queue.claimOne("worker-a", LEASE))
                .as("not due before its backoff")
                .isEmpty();
        assertThat(queue.heartbeat(job.lease(), null, null, LEASE).leaseHeld())
                .as("the lease ended")
                .isFalse();
    }

    /**
     * Chaos case 8 of issue 8: the existing {@code docs:upsertFromJob} deletes the documents of the repository's
     * other completed jobs, so a failing attempt must never call it; documents travel with the completion only.
     */
    @Test
    void aFailingAttemptLeavesThePreviousCompletedJobsDocumentsIntact() {
        ClaimedJob first = queue.claimOne("worker-a", LEASE).orElseThrow();
        List<Document> course = List.of(
                new Document("chapters/chapter_1_intro.md", "Chapter 1", 1, DocumentKind.CHAPTER, "# Chapter 1: Intro"),
                new Document("step1_abstractions.yaml", "Abstractions", null, DocumentKind.YAML, "{\"a\":1}"));
        assertThat(queue.complete(first.lease(), new Completion(JobResult.of("2 documents", 2), course, null)))
                .isEqualTo(CompleteOutcome.COMPLETED);
        String regeneration = web.createJobLikeTheWebApp(webApp, "Write it again");
        ClaimedJob second = queue.claimOne("worker-a", LEASE).orElseThrow();
        assertThat(second.id()).isEqualTo(regeneration);

        RetryDecision decision = queue.retryOrFail(
                second.lease(),
                JobFailure.of(FailureKind.TRANSIENT, "analyzer crashed"),
                new Progress(4, 6, "Étape 4/6: Génération du contenu des chapitres"));

        assertThat(decision).isInstanceOf(RetryDecision.Retrying.class);
        assertThat(queue.documents(jobId)).as("the previous course").containsExactlyInAnyOrderElementsOf(course);
        assertThat(webApp.query("docs:listByJobId", Map.of("jobId", regeneration)))
                .as("the failing attempt stored nothing")
                .isEmpty();
        JsonNode failed = row(regeneration);
        assertThat(failed.get("status").asText()).isEqualTo("pending");
        assertThat(failed.has("completedAt"))
                .as("docs:upsertFromJob was not called (it sets completedAt)")
                .isFalse();
        assertThat(failed.get("progress").asText()).isEqualTo("Étape 4/6: Génération du contenu des chapitres");
    }

    /** Chaos case 8 of issue 8: the existing retryOrFail answers nextRunAt as an ISO-8601 string. */
    @Test
    void aRoutineRetryLogsNoWarningOrError() {
        ListAppender<ILoggingEvent> everything = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        everything.start();
        root.addAppender(everything);
        try {
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            Instant before = Instant.now();

            RetryDecision decision = queue.retryOrFail(
                    job.lease(), JobFailure.of(FailureKind.TRANSIENT, "network down"), new Progress(1, 6, "Étape 1/6"));

            assertThat(decision)
                    .isInstanceOfSatisfying(
                            RetryDecision.Retrying.class,
                            r -> assertThat(r.nextRunAt())
                                    .isAfterOrEqualTo(before.plusSeconds(5).minusMillis(1)));
            assertThat(everything.list)
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .isEmpty();
        } finally {
            root.detachAppender(everything);
        }
    }

    @Test
    void theAttemptThatKillsAJobIsCountedAlthoughTheExistingFunctionDoesNotStoreIt() {
        RetryDecision decision = null;
        for (int attempt = 1; attempt <= JobSpec.DEFAULT_MAX_ATTEMPTS; attempt++) {
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            assertThat(job.attempt()).isEqualTo(attempt);
            decision = queue.retryOrFail(job.lease(), JobFailure.of(FailureKind.TRANSIENT, "fails " + attempt));
            LEGACY.advanceClock(Duration.ofMinutes(11)); // past the longest backoff
        }

        assertThat(decision).isEqualTo(new RetryDecision.GaveUp(JobStatus.DEAD, JobSpec.DEFAULT_MAX_ATTEMPTS));
        assertThat(row(jobId).get("attempts").asDouble())
                .as("the row keeps the previous count")
                .isEqualTo(JobSpec.DEFAULT_MAX_ATTEMPTS - 1.0);
        assertThat(queue.get(jobId).orElseThrow().attempts()).isEqualTo(JobSpec.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void aHolderWhoseJobWasTakenOverLosesItsLease() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        Duration later = LEASE.plusMinutes(1);
        LEGACY.advanceClock(later);
        try {
            // An operator runs the (unscheduled) reclaim; another worker claims the job.
            LEGACY.runInternal("queue:reclaimExpired");
            JsonNode other = webApp.mutation("queue:claimOne", Map.of("workerId", "worker-b"));
            assertThat(other.get("id").asText()).isEqualTo(jobId);

            assertThat(queue.heartbeat(job.lease(), JobStatus.RUNNING, null, LEASE)
                            .leaseHeld())
                    .as("the legacy heartbeat throws for a job locked by someone else")
                    .isFalse();
            assertThat(queue.complete(job.lease(), JobResult.of("stale", 0))).isEqualTo(CompleteOutcome.NOT_HELD);
            assertThat(row(jobId).get("lockedBy").asText()).isEqualTo("worker-b");
            assertThat(row(jobId).get("status").asText()).isEqualTo("claimed");
        } finally {
            LEGACY.advanceClock(later.negated());
        }
    }

    @Test
    void aLeaseThisQueueDidNotHandOutIsNotHeld() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        JobLease foreign =
                new JobLease(jobId, "worker-b", job.lease().token(), job.lease().expiresAt());

        assertThat(queue.heartbeat(foreign, JobStatus.RUNNING, null, LEASE).leaseHeld())
                .isFalse();
        assertThat(queue.complete(foreign, JobResult.of("stale", 0))).isEqualTo(CompleteOutcome.NOT_HELD);
        assertThat(row(jobId).get("status").asText()).isEqualTo("claimed");
        assertThat(queue.heartbeat(job.lease(), JobStatus.RUNNING, null, LEASE).leaseHeld())
                .isTrue();
    }

    @Test
    void aCancellationFromTheWebAppIsSeenAndNotOverwritten() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
        webApp.mutation("jobs:requestCancel", Map.of("jobId", jobId));

        HeartbeatResult beat = queue.heartbeat(job.lease(), JobStatus.GATHERING, null, LEASE);

        assertThat(beat.cancelRequested()).isTrue();
        assertThat(queue.complete(job.lease(), JobResult.of("done anyway", 1))).isEqualTo(CompleteOutcome.CANCELED);
        assertThat(row(jobId).get("status").asText()).isEqualTo("canceled");
    }

    @Test
    void releaseGivesTheJobBackThroughRetryOrFail() {
        ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();

        assertThat(queue.release(job.lease())).isTrue();

        JsonNode row = row(jobId);
        assertThat(row.get("status").asText()).isEqualTo("pending");
        assertThat(row.get("attempts").asDouble())
                .as("the legacy functions spend an attempt")
                .isEqualTo(1.0);
    }

    @Test
    void whatTheLegacyFunctionsCannotDoIsRefusedClearly() {
        assertThatThrownBy(() -> queue.enqueue(JobSpec.of(CloneSource.ofFullName("acme/x", null), "p")))
                .isInstanceOf(JobQueueException.Rejected.class)
                .hasMessageContaining("enqueue needs the hardened Fondation queue functions");
        assertThatThrownBy(() -> queue.list(null, 10)).isInstanceOf(JobQueueException.Rejected.class);
        assertThat(queue.get("no-such-job")).isEmpty();
        assertThat(queue.get(jobId).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
        assertThat(queue.get(jobId).orElseThrow().source()).isEqualTo(CloneSource.ofFullName("acme/widgets", "main"));
    }
}
