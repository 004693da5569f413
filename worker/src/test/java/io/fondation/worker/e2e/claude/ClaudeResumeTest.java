package io.fondation.worker.e2e.claude;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.clibridge.testing.RecordedRequest;
import io.fondation.clibridge.testing.Reply;
import io.fondation.clibridge.testing.Scenario;
import io.fondation.clibridge.testing.ToolCall;
import io.fondation.clibridge.testing.Turn;
import io.fondation.convexqueue.ConvexJobQueue;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.Document;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.worker.chaos.Backend;
import io.fondation.worker.e2e.FondationCliAnalyzer;
import io.fondation.worker.e2e.WorkerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resume instead of rerun with the real Claude Code CLI (issue 23, test 6): against the scripted Messages API, a model
 * that writes one file per turn, each file the worker's prompt asks for. An attempt stopped (released, as on SIGTERM)
 * after the step files and the first chapter were written leaves them checkpointed; the next attempt's prompt names
 * them final and only the rest as still to write, so it makes only the remaining requests (counted at the API), and
 * the course it completes holds every file. On both queues: the embedded file, and the hardened Convex functions under
 * the local Convex test server (checkpoints in their own table).
 */
@Tag("slow")
class ClaudeResumeTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anAttemptStoppedAfterTheFirstChapterIsResumedWithOnlyTheRemainingRequests(Backend backend) {
        CountDownLatch stopHere = new CountDownLatch(1);
        // why: turn 5 writes the second chapter; the first attempt is stopped while it waits
        FileByFileCourse course = new FileByFileCourse(5, stopHere);
        try (ClaudeWorld world = new ClaudeWorld(temp, course)) {
            WorkerFixture first = worker(world, backend).start();
            String id = first.submit(first.repository("sample"), null, "");
            await("the first chapter is checkpointed")
                    .atMost(TIMEOUT)
                    .until(() -> first.queue()
                            .checkpoint(id)
                            .map(c -> c.files().stream().anyMatch(f -> f.path().startsWith("chapters/")))
                            .orElse(false));
            List<String> kept = first.queue().checkpoint(id).orElseThrow().files().stream()
                    .map(f -> f.path())
                    .sorted()
                    .toList();
            assertThat(kept)
                    .containsExactlyInAnyOrder(
                            "step1_abstractions.yaml",
                            "step2_relationships.yaml",
                            "step3_order.yaml",
                            "chapters/chapter_1_entry-point.md");
            first.close(); // the worker stops as on SIGTERM: the CLI is killed, the job released
            stopHere.countDown();
            Path firstOutput =
                    FileByFileCourse.outputDir(world.api.messageRequests().get(0));
            int firstRequests = requestsFor(world, firstOutput).size();
            assertThat(firstRequests)
                    .as("a look around, four writes, and the request left waiting")
                    .isEqualTo(6);

            WorkerFixture second = worker(world, backend);
            // why: before it starts, for its claim counts the next attempt
            assertThat(second.job(id).attempts())
                    .as("a release spends no attempt")
                    .isZero();
            second.start();
            await("the next attempt completes the job")
                    .atMost(TIMEOUT)
                    .until(() -> second.job(id).status().isTerminal());
            JobSnapshot done = second.job(id);
            assertThatJob(done).hasStatus(JobStatus.COMPLETED).hasAttempts(1);
            assertThat(done.result().details()).containsEntry("resumed_at_step", 4);

            List<RecordedRequest> resumed = world.api.messageRequests().stream()
                    .filter(r -> !FileByFileCourse.outputDir(r).equals(firstOutput))
                    .toList();
            List<String> remaining = FileByFileCourse.ALL.stream()
                    .filter(file -> !kept.contains(file))
                    .toList();
            assertThat(FileByFileCourse.stillToWrite(resumed.get(0)))
                    .as("the resumed prompt asks for exactly the files not checkpointed")
                    .containsExactlyElementsOf(remaining);
            assertThat(resumed)
                    .as(
                            "a look around, one request per remaining file, the final answer; %d for a whole run",
                            FileByFileCourse.ALL.size() + 2)
                    .hasSize(remaining.size() + 2);
            assertThat(done.result().details()).containsEntry("documents", FileByFileCourse.ALL.size());
            assertThat(second.queue().documents(id))
                    .extracting(Document::slug)
                    .containsExactlyInAnyOrderElementsOf(FileByFileCourse.ALL);
            assertThat(second.queue().checkpoint(id))
                    .as("a completed job keeps no checkpoint")
                    .isEmpty();
            System.out.printf(
                    "e2e claude resume (%s): %d requests before the stop, %d after (a whole run makes %d)%n",
                    backend, firstRequests, resumed.size(), FileByFileCourse.ALL.size() + 2);
        }
    }

    /**
     * A worker of {@code world} on {@code backend}: the embedded file the world's workers share, or the hardened
     * Convex functions under the local server (local repositories allowed, as the web app's are not, for the sample).
     */
    private static WorkerFixture worker(ClaudeWorld world, Backend backend) {
        if (backend == Backend.EMBEDDED) {
            return world.worker(Map.of());
        }
        WorkerFixture worker =
                world.worker(FondationCliAnalyzer.onConvex(CONVEX.url(), LocalConvexServer.WORKER_SECRET));
        // why: Convex keeps leases and due times by its own (real) clock; the worker's shows the same time, so its
        // view of a lease and the job's due time agree with the server's
        worker.clock.set(Instant.now());
        assertThat(worker.queue()).isInstanceOf(ConvexJobQueue.class);
        return worker;
    }

    private static List<RecordedRequest> requestsFor(ClaudeWorld world, Path outputDir) {
        return world.api.messageRequests().stream()
                .filter(r -> FileByFileCourse.outputDir(r).equals(outputDir))
                .toList();
    }

    /**
     * A model that looks around (turn 0), then writes one file a turn: every file of the course when the prompt is a
     * fresh one, only the files its "Still to write" list names when it resumes, then answers {@code DONE}. Turn
     * {@code gatedTurn} waits for {@code gate}.
     */
    static final class FileByFileCourse implements Scenario {

        static final List<String> ALL = List.of(
                "step1_abstractions.yaml",
                "step2_relationships.yaml",
                "step3_order.yaml",
                "chapters/chapter_1_entry-point.md",
                "chapters/chapter_2_helpers.md",
                "reviewed-chapters/chapter_1_entry-point.md",
                "reviewed-chapters/chapter_2_helpers.md",
                "tutorials/tutorial_1_entry-point.md",
                "tutorials/tutorial_2_helpers.md");

        private static final Pattern TO_WRITE = Pattern.compile("^- (\\S+)(?: \\(.*\\))?$");
        private static final Map<String, String> CONTENT = contents();

        private final int gatedTurn;
        private final CountDownLatch gate;

        FileByFileCourse(int gatedTurn, CountDownLatch gate) {
            this.gatedTurn = gatedTurn;
            this.gate = gate;
        }

        static Path outputDir(RecordedRequest request) {
            return ScriptedCourse.outputDir(request);
        }

        /** The files the conversation's first message asks for: all, or its "Still to write" list. */
        static List<String> stillToWrite(RecordedRequest request) {
            String prompt = prompt(request);
            int at = prompt.indexOf("Still to write");
            if (at < 0) {
                return ALL;
            }
            List<String> files = new ArrayList<>();
            for (String line : prompt.substring(at).lines().skip(1).toList()) {
                Matcher m = TO_WRITE.matcher(line.strip());
                if (!m.matches()) {
                    break;
                }
                files.add(m.group(1));
            }
            return files;
        }

        @Override
        public Reply reply(RecordedRequest request, int number) {
            int turn = request.turn();
            List<String> files = stillToWrite(request);
            Reply reply;
            if (turn == 0) {
                reply = Turn.saying("Looking around.", ToolCall.glob("**/*"));
            } else if (turn <= files.size()) {
                String file = files.get(turn - 1);
                reply = Turn.tools(ToolCall.write(outputDir(request).resolve(file), CONTENT.get(file)));
            } else {
                reply = Turn.text("DONE");
            }
            // why: only a fresh run waits; the resumed one runs through
            boolean fresh = prompt(request).indexOf("Still to write") < 0;
            return fresh && turn == gatedTurn ? new Reply.After(gate, reply) : reply;
        }

        private static String prompt(RecordedRequest request) {
            JsonNode content = request.json().path("messages").path(0).path("content");
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode block : content) {
                text.append(block.path("text").asText("")).append('\n');
            }
            return text.toString();
        }

        private static Map<String, String> contents() {
            Map<String, String> contents = new LinkedHashMap<>();
            contents.put("step1_abstractions.yaml", ScriptedCourse.ABSTRACTIONS);
            contents.put("step2_relationships.yaml", ScriptedCourse.RELATIONSHIPS);
            contents.put("step3_order.yaml", ScriptedCourse.ORDER);
            contents.put("chapters/chapter_1_entry-point.md", "# Chapter 1: Entry point\n\nWhere it starts.\n");
            contents.put("chapters/chapter_2_helpers.md", "# Chapter 2: Helpers\n\nWhat it uses.\n");
            contents.put(
                    "reviewed-chapters/chapter_1_entry-point.md",
                    "# Chapter 1: Entry point\n\nWhere it starts, reviewed.\n");
            contents.put("reviewed-chapters/chapter_2_helpers.md", "# Chapter 2: Helpers\n\nWhat it uses, reviewed.\n");
            contents.put(
                    "tutorials/tutorial_1_entry-point.md",
                    "# Interactive Tutorial: Entry point\n\nRun it and watch.\n");
            contents.put("tutorials/tutorial_2_helpers.md", "# Interactive Tutorial: Helpers\n\nCall one and see.\n");
            return contents;
        }
    }
}
