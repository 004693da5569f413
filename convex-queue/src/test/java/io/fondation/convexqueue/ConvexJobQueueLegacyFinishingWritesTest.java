package io.fondation.convexqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.testing.CourseWatcher;
import io.fondation.convexqueue.testing.FunctionFaultProxy;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.convexqueue.testing.WebAppFixtures;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.JobResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The two finishing writes on the existing functions ({@code docs:upsertFromJob}, then {@code queue:complete}) and a
 * worker that dies between them, made by a proxy that fails the second write: the repository's course, as the web
 * app reads it ({@code docs:listByRepository}), is never empty while a completed job lacks its documents, and is
 * whole again once the job is claimed again (that claim completes it from the stored documents, spending no second
 * analysis).
 */
class ConvexJobQueueLegacyFinishingWritesTest {

    @RegisterExtension
    static final LocalConvexServer LEGACY = LocalConvexServer.legacy();

    private static final Duration LEASE = Duration.ofSeconds(4);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private ConvexClient webApp;
    private WebAppFixtures web;

    @BeforeEach
    void setUp() {
        logs.start();
        root.addAppender(logs);
        web = WebAppFixtures.seed(LEGACY, null, "acme/widgets", "main");
        webApp = ConvexClient.builder().url(LEGACY.url()).build();
    }

    @AfterEach
    void tearDown() {
        root.detachAppender(logs);
        webApp.close();
    }

    private static ConvexJobQueue connect(String url) {
        return ConvexJobQueue.connect(
                ConvexQueueSettings.of(url).withDeployKey(LocalConvexServer.ADMIN_KEY), Clock.systemUTC());
    }

    private JsonNode row(String id) {
        return webApp.query("jobs:getJob", Map.of("jobId", id));
    }

    private JsonNode course() {
        return webApp.query("docs:listByRepository", Map.of("repositoryId", web.repositoryId()));
    }

    private static List<Document> documents(String version, int count) {
        List<Document> documents = new ArrayList<>();
        documents.add(new Document("step1_abstractions.yaml", "Abstractions", null, DocumentKind.YAML, "[]"));
        for (int i = 1; i < count; i++) {
            documents.add(new Document(
                    "chapters/chapter_" + i + "_c.md",
                    "Chapter " + i,
                    i,
                    DocumentKind.CHAPTER,
                    "# Chapter " + i + " (" + version + ")\n"));
        }
        return documents;
    }

    private static Completion completion(List<Document> documents) {
        return new Completion(
                new JobResult("Analysis complete: " + documents.size() + " documents", documents.size(), Map.of()),
                documents,
                null);
    }

    /** A first course, completed the normal way. */
    private String previousCourse() {
        String previous = web.createJobLikeTheWebApp(webApp, "v1");
        try (ConvexJobQueue queue = connect(LEGACY.url())) {
            ClaimedJob job = queue.claimOne("worker-0", LEASE).orElseThrow();
            assertThat(queue.complete(job.lease(), completion(documents("v1", 3))))
                    .isEqualTo(CompleteOutcome.COMPLETED);
        }
        assertThat(course()).hasSize(3);
        return previous;
    }

    @Test
    void aWorkerThatDiesBetweenTheTwoWritesLeavesNoCompletedJobWithoutItsCourseAndTheNextClaimHealsIt() {
        String previous = previousCourse();
        String jobId = web.createJobLikeTheWebApp(webApp, "v2");
        List<Document> v2 = documents("v2", 5);
        try (CourseWatcher watcher = CourseWatcher.start(webApp, web.repositoryId())
                        .watchJob(previous)
                        .watchJob(jobId);
                FunctionFaultProxy proxy = FunctionFaultProxy.to(LEGACY.url())) {
            proxy.failAlways("queue:complete", FunctionFaultProxy.When.BEFORE);
            try (ConvexJobQueue dying = connect(proxy.url())) {
                ClaimedJob job = dying.claimOne("worker-dying", LEASE).orElseThrow();
                assertThatThrownBy(() -> dying.complete(job.lease(), completion(v2)))
                        .isInstanceOf(JobQueueException.class)
                        .matches(e -> ((JobQueueException) e).isTransient());
            } // it dies here: no release, no more heartbeats
            assertThat(proxy.failures("queue:complete")).isEqualTo(1);

            // The documents went first: stored under the job, which is still held, not completed.
            JsonNode held = row(jobId);
            assertThat(held.get("status").asText()).isEqualTo("claimed");
            assertThat(held.get("lockedBy").asText()).isEqualTo("worker-dying");
            assertThat(webApp.query("docs:listByJobId", Map.of("jobId", jobId))).hasSize(v2.size());
            assertThat(course())
                    .as("the upsert deleted the previous course; this job is not completed yet")
                    .isEmpty();

            LEGACY.advanceClock(LEASE.plusSeconds(1));
            try (ConvexJobQueue next = connect(LEGACY.url())) {
                // Its start-up reclaim puts the job back; its first claim completes it from the stored documents.
                assertThat(next.claimOne("worker-next", LEASE))
                        .as("nothing left to run")
                        .isEmpty();
            }
            JsonNode healed = row(jobId);
            assertThat(healed.get("status").asText()).isEqualTo("completed");
            assertThat(healed.get("docsCount").asInt()).isEqualTo(v2.size());
            assertThat(healed.get("attempts").asInt())
                    .as("the crashed attempt, as reclaimExpired counted it")
                    .isEqualTo(1);
            assertThat(healed.get("result").get("message").asText())
                    .isEqualTo("Analysis complete: 5 documents (stored by an earlier attempt whose worker stopped"
                            + " before completing the job)");
            JsonNode course = course();
            assertThat(course).hasSize(v2.size());
            assertThat(course)
                    .allSatisfy(d -> assertThat(d.get("jobId").asText()).isEqualTo(jobId));
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line)
                            .isEqualTo("Job " + jobId + ": an earlier attempt stored all 5 documents (run "
                                    + healed.get("runId").asText() + ") but its worker stopped before"
                                    + " queue:complete; completed now without running the analysis again, so the"
                                    + " repository's course is whole again"));

            long healedAt = System.nanoTime();
            await(() -> !watcher.samplesAfter(healedAt).isEmpty());
            watcher.close();
            assertThat(watcher.samples()).hasSizeGreaterThan(3);
            assertThat(watcher.samples())
                    .as("the job never completed without its documents")
                    .noneMatch(s -> s.completedWithoutItsDocuments(jobId));
            assertThat(watcher.samples())
                    .as("the course was empty only while the job was held, before the next claim healed it")
                    .filteredOn(s -> s.documents() == 0)
                    .isNotEmpty()
                    .allSatisfy(s -> {
                        assertThat(s.latestCompleted()).isEqualTo(previous);
                        assertThat(s.atNanos() - healedAt).isNegative();
                    });
            assertThat(watcher.samplesAfter(healedAt))
                    .as("after the retry, the course is there")
                    .isNotEmpty()
                    .allSatisfy(s -> assertThat(s.documents()).isEqualTo(v2.size()));
        }
    }

    @Test
    void documentsStoredOnlyInPartProveNothingAndTheJobRunsAgain() {
        previousCourse();
        String jobId = web.createJobLikeTheWebApp(webApp, "v2");
        // 201 documents: two upsert calls (at most 200 documents each); the second one never arrives.
        List<Document> v2 = documents("v2", 201);
        try (FunctionFaultProxy proxy = FunctionFaultProxy.to(LEGACY.url())) {
            proxy.fail("docs:upsertFromJob", FunctionFaultProxy.When.BEFORE, 1, Integer.MAX_VALUE);
            try (ConvexJobQueue dying = connect(proxy.url())) {
                ClaimedJob job = dying.claimOne("worker-dying", LEASE).orElseThrow();
                assertThatThrownBy(() -> dying.complete(job.lease(), completion(v2)))
                        .isInstanceOf(JobQueueException.class);
            }
        }
        assertThat(webApp.query("docs:listByJobId", Map.of("jobId", jobId))).hasSize(200);
        LEGACY.advanceClock(LEASE.plusSeconds(1));
        try (ConvexJobQueue next = connect(LEGACY.url())) {
            ClaimedJob again = next.claimOne("worker-next", LEASE).orElseThrow();
            assertThat(again.id())
                    .as("run again, not completed with 200 of 201 documents")
                    .isEqualTo(jobId);
            assertThat(again.attempt()).isEqualTo(2);
            assertThat(logs.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .contains("Job " + jobId + ": an earlier attempt stored 200 of its 201 documents before its worker"
                            + " stopped; running it again");
            assertThat(next.complete(again.lease(), completion(v2))).isEqualTo(CompleteOutcome.COMPLETED);
        }
        assertThat(course()).hasSize(201);
    }

    @Test
    void aCompleteWhoseAnswerWasLostIsRecognisedWhenTheWorkerTriesAgain() {
        previousCourse();
        String jobId = web.createJobLikeTheWebApp(webApp, "v2");
        List<Document> v2 = documents("v2", 4);
        try (FunctionFaultProxy proxy = FunctionFaultProxy.to(LEGACY.url());
                ConvexJobQueue queue = connect(proxy.url())) {
            proxy.fail("queue:complete", FunctionFaultProxy.When.AFTER, 0, 1);
            ClaimedJob job = queue.claimOne("worker-a", LEASE).orElseThrow();
            assertThatThrownBy(() -> queue.complete(job.lease(), completion(v2)))
                    .isInstanceOf(JobQueueException.class);
            assertThat(row(jobId).get("status").asText())
                    .as("it ran; only its answer was lost")
                    .isEqualTo("completed");
            assertThat(queue.complete(job.lease(), completion(v2))).isEqualTo(CompleteOutcome.ALREADY_COMPLETED);
        }
        assertThat(course()).hasSize(4);
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(condition);
    }
}
