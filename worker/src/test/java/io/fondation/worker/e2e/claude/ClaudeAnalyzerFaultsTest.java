package io.fondation.worker.e2e.claude;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static io.fondation.worker.e2e.claude.ClaudeWorld.FAKE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.clibridge.process.ProcessTree;
import io.fondation.clibridge.testing.ClaudeCodeInstallation;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ScriptedMessagesApi;
import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobStatus;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.worker.e2e.WorkerFixture;
import io.fondation.worker.testing.SuiteSharing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The real Claude Code CLI under a real worker when the API fails: a rejected credential is the worker's fault (the
 * job is released untouched, the worker is not ready and says why, and resumes by itself once the API accepts it);
 * an overloaded or unreachable API is the job's passing fault, retried with the queue's backoff; a hung API is ended
 * by the worker's timeout, with the whole process tree.
 */
@Tag("slow")
// why alone and last: it looks at every process this JVM started, which a concurrent class's would join (SuiteSharing)
@ResourceLock(SuiteSharing.MACHINE)
@Order(SuiteSharing.LAST)
class ClaudeAnalyzerFaultsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    private static HttpResponse<String> get(WorkerFixture fixture, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.runtime.healthPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRejectedCredentialReleasesTheJobUntouchedAndTheWorkerResumesOnceTheApiAcceptsIt() throws Exception {
        // The API's message repeats the key, as some gateways do.
        try (ClaudeWorld world =
                new ClaudeWorld(temp, Scenario.status(401, "authentication_error", "invalid x-api-key " + FAKE_KEY))) {
            WorkerFixture fixture = world.worker(Map.of()).start();
            String id = fixture.submit(fixture.repository("sample"), null, "");
            long started = System.nanoTime();

            AttemptOutcome.Released released = fixture.listener.awaitOutcome(id, AttemptOutcome.Released.class, RUN);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).as("a bad credential fails in seconds").isLessThan(Duration.ofSeconds(30));
            assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.WORKER_FAULT);
            assertThat(released.fault().kind()).isEqualTo(FailureKind.AUTHENTICATION);
            assertThat(released.fault().message())
                    .startsWith("Claude authentication failed")
                    .contains("An operator must renew the Claude credential")
                    .doesNotContain(FAKE_KEY);
            assertThatJob(fixture.job(id))
                    .hasStatus(JobStatus.PENDING)
                    .hasAttempts(0)
                    .hasNoLastError()
                    .isNotLeased();
            HttpResponse<String> ready = get(fixture, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("AUTHENTICATION").contains("Claude authentication failed");
            assertThat(get(fixture, "/health/live").statusCode()).isEqualTo(200);
            assertThat(world.logLines())
                    .anyMatch(line -> line.startsWith("WORKER FAULT (AUTHENTICATION): Claude authentication failed")
                            && line.contains("they go back to the queue without spending an attempt"))
                    .noneMatch(line -> line.contains(FAKE_KEY));
            assertThat(world.api.messageRequests()).hasSize(1);
            System.out.printf("e2e claude: a rejected credential became a worker fault in %d ms%n", took.toMillis());

            // The operator fixes the credential; at its first re-check (5 s on the worker clock, due once past) it
            // tries it.
            world.serve(ScriptedCourse.ungated());
            fixture.clock.advance(Duration.ofSeconds(6));

            await().atMost(RUN).until(() -> fixture.job(id).status() == JobStatus.COMPLETED);
            assertThatJob(fixture.job(id)).hasAttempts(1).reachedStep(6);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(fixture, "/health/ready").statusCode() == 200);
            assertThat(fixture.listener.recovered()).isTrue();
            assertThat(world.filesUnderRoot())
                    .allSatisfy((file, text) -> assertThat(text).as("%s", file).doesNotContain(FAKE_KEY));
            assertThat(world.logLines()).noneMatch(line -> line.contains(FAKE_KEY));
        }
    }

    @Test
    void anOverloadedApiPausesTheCredentialForTheFleetWithoutSpendingAnAttemptAndAHealthyOneCompletesTheJob()
            throws Exception {
        try (ClaudeWorld world = new ClaudeWorld(temp, Scenario.status(529, "overloaded_error", "Overloaded"))) {
            WorkerFixture fixture = world.worker(Map.of()).start();
            String id = fixture.submit(fixture.repository("sample"), null, "");

            // Issue 22: an overload is a fact about the LLM credential, not the job: the job goes back without
            // spending an attempt and the queue pauses the credential for every worker that holds it.
            AttemptOutcome.Released released = fixture.listener.awaitOutcome(id, AttemptOutcome.Released.class, RUN);

            assertThat(released.reason()).isEqualTo(AttemptOutcome.ReleaseReason.RATE_LIMITED);
            assertThat(released.spentAttempt()).isFalse();
            assertThatJob(fixture.job(id)).hasStatus(JobStatus.PENDING).hasAttempts(0);
            List<LlmPause> pauses = fixture.queue().pauses();
            assertThat(pauses).singleElement().satisfies(pause -> {
                assertThat(pause.kind()).isEqualTo(LlmLimitKind.OVERLOADED);
                assertThat(pause.credential()).doesNotContain(FAKE_KEY);
                assertThat(Duration.between(fixture.clock.instant(), pause.until()))
                        .as("an overload without retry-after pauses the credential 30 s (jittered up)")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(29));
            });

            world.serve(ScriptedCourse.ungated());
            fixture.clock.set(pauses.get(0).resumesAt().plusMillis(1));

            await().atMost(RUN).until(() -> fixture.job(id).status() == JobStatus.COMPLETED);
            assertThatJob(fixture.job(id)).hasAttempts(1);
        }
    }

    @Test
    void anUnreachableApiIsRetriedAndALaterAttemptAgainstAHealthyApiCompletesTheJob() throws Exception {
        try (ClaudeWorld world = new ClaudeWorld(temp, ScriptedCourse.ungated())) {
            WorkerFixture cut = world.worker(ScriptedMessagesApi.unreachableBaseUrl(), Map.of())
                    .start();
            String id = cut.submit(cut.repository("sample"), null, "");
            long started = System.nanoTime();

            AttemptOutcome.RetryScheduled retry =
                    cut.listener.awaitOutcome(id, AttemptOutcome.RetryScheduled.class, RUN);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            assertThat(retry.failure().kind()).isEqualTo(FailureKind.TRANSIENT);
            assertThat(retry.failure().message()).contains("ECONNREFUSED");
            assertThat(retry.nextRunAt()).isEqualTo(cut.job(id).runAt());
            cut.close();

            // The same queue, a worker whose network reaches the API.
            WorkerFixture connected = world.worker(Map.of()).start();
            connected.clock.set(retry.nextRunAt().plusMillis(1));

            await().atMost(RUN).until(() -> connected.job(id).status() == JobStatus.COMPLETED);
            assertThatJob(connected.job(id)).hasAttempts(2);
        }
    }

    @Test
    void aHungApiIsEndedByTheWorkersTimeoutWithTheCliWholeTreeAndTheJobRetries() throws Exception {
        try (ClaudeWorld world = new ClaudeWorld(temp, Scenario.hang())) {
            WorkerFixture fixture = world.worker(Map.of("ANALYZER_TIMEOUT", "5000", "CLAUDE_API_TIMEOUT", "600000"))
                    .start();
            String id = fixture.submit(fixture.repository("sample"), null, "");
            await().atMost(RUN).until(() -> !world.api.messageRequests().isEmpty());
            String cli = ClaudeCodeInstallation.executable().toString();
            List<ProcessHandle> tree = ProcessHandle.current()
                    .descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains(cli))
                    .toList();
            assertThat(tree).as("bwrap and the CLI in it").hasSizeGreaterThanOrEqualTo(2);

            AttemptOutcome.RetryScheduled retry =
                    fixture.listener.awaitOutcome(id, AttemptOutcome.RetryScheduled.class, RUN);

            assertThat(retry.failure().kind()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(retry.failure().message()).contains("time limit of 5 s");
            assertThat(tree).noneMatch(ProcessTree::isRunning);
            assertThat(ProcessHandle.current().descendants())
                    .noneMatch(p -> p.info().commandLine().orElse("").contains(cli));

            world.serve(ScriptedCourse.ungated());
            fixture.clock.set(retry.nextRunAt().plusMillis(1));
            await().atMost(RUN).until(() -> fixture.job(id).status() == JobStatus.COMPLETED);
            assertThatJob(fixture.job(id)).hasAttempts(2);
        }
    }
}
