package io.fondation.worker.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.dryrun.FixtureRepository;
import io.fondation.engine.runtime.StopSignal;
import io.fondation.http.callback.WebhookReceiver;
import io.fondation.http.callback.WebhookReceiver.Received;
import io.fondation.http.oneshot.OneShotExit;
import io.fondation.worker.Main;
import io.fondation.worker.cli.CliEnvironment;
import io.fondation.worker.e2e.TestAnalyzer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code run-job} in-process against a webhook receiver on loopback: the exact callback sequence of a dry-run job,
 * a receiver that fails twice, a failing job, a receiver that never answers, and the payload limit.
 */
class RunJobTest {

    /** Obviously fake. */
    static final String TOKEN = "test-callback-token-not-a-secret-0001";

    static final List<String> DRY_RUN_FILES =
            List.of("step1_abstractions.yaml", "step2_relationships.yaml", "step3_order.yaml");

    @TempDir
    Path temp;

    WebhookReceiver receiver;
    Path repository;
    Map<String, String> env;
    StringWriter out;
    StringWriter err;

    @BeforeEach
    void setUp() {
        receiver = WebhookReceiver.start();
        repository = FixtureRepository.create(temp.resolve("repo"));
        env = new HashMap<>();
        env.put("HOME", temp.resolve("home").toString());
        env.put("TEMP_DIR", temp.resolve("work").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("JOB_ID", "job-42");
        env.put("REPOSITORY_URL", repository.toString());
        env.put("CALLBACK_URL", receiver.url());
        env.put("CALLBACK_TOKEN", TOKEN);
        env.put("CALLBACK_RETRY_DELAY", "20");
        env.put("CALLBACK_REWRITE_LOCALHOST", "false");
        env.put("MIN_FREE_DISK_MB", "0");
        env.put("ALLOW_LOCAL_REPOSITORIES", "true");
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    int runJob(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        StopSignal never = action -> () -> {};
        CommandLine commandLine = Main.commandLine(new CliEnvironment(env, Clock.systemUTC(), temp, false, never));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void aDryRunJobPostsEveryStepThenTheCompleteCallbackWithTheFiles() {
        int code = runJob("run-job", "--dry-run");

        assertThat(code).as(out + "\n" + err).isEqualTo(OneShotExit.OK);
        assertExactDryRunSequence(receiver.received());
        assertThat(out.toString()).contains("job job-42: Analysis complete: 18 documents; complete callback delivered");
        assertThat(out.toString() + err).doesNotContain(TOKEN);
    }

    @Test
    void aReceiverThatFailsTwiceStillGetsTheWholeSequence() {
        receiver.failNext(2);

        int code = runJob("run-job", "--dry-run");

        assertThat(code).as(out + "\n" + err).isEqualTo(OneShotExit.OK);
        List<Received> all = receiver.received();
        assertThat(all.subList(0, 3)).extracting(Received::answered).containsExactly(500, 500, 200);
        assertThat(all.subList(0, 3))
                .as("the first progress callback, tried three times")
                .extracting(r -> r.body().toString())
                .containsOnly(all.get(0).body().toString());
        assertExactDryRunSequence(receiver.accepted());
    }

    @Test
    void aFailingJobPostsAnErrorCallbackAndExitsOne() {
        Path analyzer = TestAnalyzer.install(temp.resolve("bin"));

        int code = runJob(
                "run-job",
                "--analyzer-command",
                TestAnalyzer.commandJson(analyzer),
                "--prompt",
                "fail the model refused the repository");

        assertThat(code).as(out + "\n" + err).isEqualTo(OneShotExit.JOB_FAILED);
        Received last = receiver.received().get(receiver.received().size() - 1);
        assertThat(last.type()).isEqualTo("error");
        assertThat(last.body().get("status").asText()).isEqualTo("failed");
        assertThat(last.body().get("jobId").asText()).isEqualTo("job-42");
        assertThat(last.body().get("error").asText()).contains("the model refused the repository");
        assertThat(last.token()).isEqualTo(TOKEN);
        assertThat(receiver.received()).extracting(Received::type).doesNotContain("complete");
        assertThat(receiver.received().stream().filter(r -> r.type().equals("error")))
                .hasSize(1);
    }

    @Test
    void aMissingRepositoryIsAJobFailureWithItsReason() {
        env.put("REPOSITORY_URL", "file://" + temp.resolve("no-such-repository"));

        int code = runJob("run-job", "--dry-run");

        assertThat(code).isEqualTo(OneShotExit.JOB_FAILED);
        Received last = receiver.received().get(receiver.received().size() - 1);
        assertThat(last.type()).isEqualTo("error");
        assertThat(last.body().get("error").asText()).isNotBlank();
    }

    @Test
    void aReceiverThatNeverAnswersMakesExitCodeThreeButTheJobStillRuns() {
        receiver.close();
        env.put("CALLBACK_RETRIES", "2");

        int code = runJob("run-job", "--dry-run");

        assertThat(code).as(out + "\n" + err).isEqualTo(OneShotExit.CALLBACK_FAILED);
        assertThat(out.toString())
                .contains("Analysis complete: 18 documents")
                .contains("complete callback NOT delivered after 3 tries");
    }

    @Test
    void aCourseAboveThePayloadLimitIsRefusedWithAClearErrorCallback() {
        env.put("CALLBACK_MAX_PAYLOAD_BYTES", "2048");

        int code = runJob("run-job", "--dry-run");

        assertThat(code).as(out + "\n" + err).isEqualTo(OneShotExit.JOB_FAILED);
        Received last = receiver.received().get(receiver.received().size() - 1);
        assertThat(last.type()).isEqualTo("error");
        assertThat(last.body().get("error").asText())
                .contains("above CALLBACK_MAX_PAYLOAD_BYTES (2048 bytes)")
                .contains("the 18 documents");
        assertThat(receiver.received()).extracting(Received::type).doesNotContain("complete");
    }

    @Test
    void aMissingVariableIsOneLineNamingIt() {
        env.remove("CALLBACK_URL");

        int code = runJob("run-job", "--dry-run");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "fondation-worker: CALLBACK_URL: not set; run-job needs it (where the callbacks are posted)");
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void aCallbackUrlWithCredentialsIsRefusedWithoutRepeatingThem() {
        env.put("CALLBACK_URL", "http://user:hunter2-secret@127.0.0.1:1/hook");

        int code = runJob("run-job", "--dry-run");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("CALLBACK_URL")
                .contains("CALLBACK_TOKEN")
                .doesNotContain("hunter2");
    }

    @Test
    void eachRefusedInputOfTheJobIsAnErrorCallbackAndExitOne() {
        String token = "ghp_" + "FAKE0123456789abcdefFAKE";
        Map<String, Map<String, String>> inputs = new java.util.LinkedHashMap<>();
        inputs.put("BRANCH", Map.of("BRANCH", "main;rm -rf /"));
        inputs.put("BRANCH ", Map.of("BRANCH", "--upload-pack=x"));
        inputs.put("REPOSITORY_URL", Map.of("REPOSITORY_URL", "https://user:hunter2-FAKE@github.com/o/r.git"));
        inputs.put("REPOSITORY_URL ", Map.of("REPOSITORY_URL", "http://127.0.0.1:1/" + token + "/x.git"));
        inputs.put("REPOSITORY_URL  ", Map.of("REPOSITORY_URL", repository.toString(), "ALLOW_LOCAL_REPOSITORIES", ""));
        inputs.put(
                "REPOSITORY_URL   ",
                Map.of("REPOSITORY_URL", "file://" + repository, "ALLOW_LOCAL_REPOSITORIES", "false"));
        inputs.forEach((variable, values) -> {
            try (WebhookReceiver own = WebhookReceiver.start()) {
                env.put("CALLBACK_URL", own.url());
                env.put("REPOSITORY_URL", repository.toString());
                env.remove("BRANCH");
                env.put("ALLOW_LOCAL_REPOSITORIES", "true");
                env.putAll(values);
                env.values().removeIf(String::isEmpty);

                int code = runJob("run-job", "--dry-run");

                assertThat(code).as(values + ": " + out + "\n" + err).isEqualTo(OneShotExit.JOB_FAILED);
                assertThat(own.received()).as(values.toString()).hasSize(1);
                Received error = own.received().get(0);
                assertThat(error.type()).isEqualTo("error");
                assertThat(error.token()).isEqualTo(TOKEN);
                assertThat(error.body().get("jobId").asText()).isEqualTo("job-42");
                assertThat(error.body().get("error").asText())
                        .as(values.toString())
                        .startsWith("the job's input was refused: " + variable.strip() + ": ")
                        .doesNotContain("hunter2")
                        .doesNotContain(token);
                assertThat(out.toString() + err).doesNotContain("hunter2").doesNotContain(token);
            }
        });
        assertThat(temp.resolve("work"))
                .as("nothing was cloned")
                .satisfiesAnyOf(
                        work -> assertThat(work).doesNotExist(),
                        work -> assertThat(work).isEmptyDirectory());
    }

    /** The progress callbacks of a dry-run job, step by step, then the complete callback. */
    static void assertExactDryRunSequence(List<Received> callbacks) {
        assertThat(callbacks).allSatisfy(callback -> {
            assertThat(callback.method()).isEqualTo("POST");
            assertThat(callback.token()).isEqualTo(TOKEN);
            assertThat(callback.contentType()).isEqualTo("application/json");
            assertThat(callback.body().get("jobId").asText()).isEqualTo("job-42");
            assertThat(callback.body().get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        });
        assertThat(callbacks)
                .extracting(c -> c.type() + " " + c.body().path("status").asText() + " "
                        + c.body().path("step").asText("-") + "/"
                        + c.body().path("totalSteps").asText("-") + " "
                        + c.body().path("message").asText(""))
                .containsExactly(
                        "progress cloning 0/6 Clonage du dépôt",
                        "progress analyzing 0/6 Démarrage de l'analyse",
                        "progress analyzing 1/6 Étape 1/6: Extraction des abstractions principales",
                        "progress analyzing 2/6 Étape 2/6: Analyse des relations entre composants",
                        "progress analyzing 3/6 Étape 3/6: Détermination de l'ordre optimal des chapitres",
                        "progress analyzing 4/6 Étape 4/6: Génération du contenu des chapitres",
                        "progress analyzing 5/6 Étape 5/6: Révision et amélioration des chapitres",
                        "progress analyzing 6/6 Étape 6/6: Génération de tutoriels interactifs",
                        "progress gathering 6/6 Enregistrement des documents",
                        "complete success -/- ");
        JsonNode complete = callbacks.get(callbacks.size() - 1).body();
        assertThat(complete.get("filesCount").asInt())
                .isEqualTo(complete.get("files").size());
        assertThat(complete.get("duration").asLong()).isPositive();
        assertThat(complete.get("files").get(0).fieldNames())
                .toIterable()
                .containsExactly("path", "content", "type", "size");
        List<String> paths = complete.findValuesAsText("path");
        assertThat(paths).startsWith(DRY_RUN_FILES.toArray(String[]::new));
        assertThat(paths).anyMatch(p -> p.startsWith("chapters/chapter_1_"));
        assertThat(paths).anyMatch(p -> p.startsWith("tutorials/tutorial_1_"));
        for (JsonNode file : complete.get("files")) {
            assertThat(file.get("size").asInt())
                    .isEqualTo(file.get("content").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }
}
