package io.fondation.clibridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.awaitility.Awaitility;

/**
 * A stand-in for the Fondation CLI that behaves as shared/reference/fondation-system.md §2 says the real one does with
 * {@code --steps} (a node script, {@code src/test/resources/fondation-cli-fixture/dist/cli.bundled.mjs}, shipped in
 * cli-bridge's test-jar for the worker's tests): steps 1-3 rewrite their YAML whenever listed, steps 4-6 skip existing
 * files one by one (an empty one too), an empty model answer is written as {@code (no content)}, progress counts the
 * selected steps, {@code --steps bogus} runs nothing and exits 0, an unknown profile exits 1 silently. It logs each step
 * it runs and each LLM request it would make to {@code <logDir>/events.ndjson}, so a test counts them, and a test can
 * pause it or make it fail at a chosen request of a chosen step, once.
 *
 * <p>Where the reference is silent it chooses (the script's header lists it): the profiles it knows (production,
 * development, test), chapters numbered 1..N by their place in the order, one tutorial per reviewed chapter, a step
 * whose input file is missing fails, requests one after another. What it writes depends only on the repository's
 * top-level entries and on the files it reads, so a resumed run ends byte-identical to an uninterrupted one.
 *
 * <pre>{@code
 * FondationCliFixture cli = FondationCliFixture.install(temp.resolve("cli"));
 * cli.pauseAt(5, 1);                     // the next run stops before its second step-5 request
 * // run: node cli.cli() analyze <repo> --profile production --output-dir <out>, with cli.environment()
 * cli.awaitPaused(Duration.ofSeconds(30));
 * ...                                    // kill it; resume with --steps review-chapters,generate-tutorials
 * cli.runs().get(1).requests();          // what the resumed run asked the model
 * }</pre>
 */
public final class FondationCliFixture {

    /** The variable naming the directory of its log and controls (pass it through the analyzer's env policy). */
    public static final String DIR_VARIABLE = "FONDATION_CLI_FIXTURE_DIR";

    private static final String RESOURCE = "/fondation-cli-fixture/dist/cli.bundled.mjs";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cli;
    private final Path logDir;

    private FondationCliFixture(Path cli, Path logDir) {
        this.cli = cli;
        this.logDir = logDir;
    }

    /**
     * Copies the script to {@code dir/dist/cli.bundled.mjs} (the real CLI's layout; works from the test-jar too) and
     * makes {@code dir/log} its log directory.
     */
    public static FondationCliFixture install(Path dir) {
        try (InputStream in = FondationCliFixture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + RESOURCE + " is missing");
            }
            Path cli = Files.createDirectories(dir.resolve("dist")).resolve("cli.bundled.mjs");
            Files.copy(in, cli, StandardCopyOption.REPLACE_EXISTING);
            return new FondationCliFixture(cli, Files.createDirectories(dir.resolve("log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script, run as {@code node <cli> analyze ...} (CLI_PATH). */
    public Path cli() {
        return cli;
    }

    /** Where it logs and reads its controls; writable by the analyzer (a sandboxed one needs it allowed). */
    public Path logDir() {
        return logDir;
    }

    /** {@value #DIR_VARIABLE}, for the analyzer's environment. */
    public Map<String, String> environment() {
        return Map.of(DIR_VARIABLE, logDir.toString());
    }

    /** The next run stops before request {@code after} (0: the first) of {@code step} until {@link #release()}. */
    public void pauseAt(int step, int after) {
        control(Map.of("pause", Map.of("step", step, "after", after)));
    }

    /**
     * The next run fails before request {@code after} of {@code step}, as the CLI does ({@code Analysis failed},
     * exit 1), with {@code error} on stderr: {@code rate-limit} (a 429), {@code overloaded} (a 529) or any text.
     */
    public void failAt(int step, int after, String error) {
        control(Map.of("fail", Map.of("step", step, "after", after, "error", error)));
    }

    /** In the next run, the model answers nothing for these files (written as {@code (no content)}). */
    public void answerEmpty(String... files) {
        control(Map.of("empty", List.of(files)));
    }

    /** Several controls for the next run at once, as the script reads them (see its header). */
    public void control(Map<String, Object> control) {
        try {
            // why: a killed paused run leaves its marker; the next pause must be its own
            Files.deleteIfExists(logDir.resolve("paused"));
            Files.deleteIfExists(logDir.resolve("release"));
            Path temp = logDir.resolve("control.json.tmp");
            Files.writeString(temp, JSON.writeValueAsString(control));
            // why: the script must never read a half-written control
            Files.move(temp, logDir.resolve("control.json"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a run paused as {@link #pauseAt} asked. */
    public void awaitPaused(Duration timeout) {
        Awaitility.await("the Fondation CLI fixture pauses")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(logDir.resolve("paused")));
    }

    /** Lets a paused run go on. */
    public void release() {
        try {
            Files.writeString(logDir.resolve("release"), "go");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event logged so far, in order. */
    public List<JsonNode> events() {
        Path log = logDir.resolve("events.ndjson");
        if (!Files.exists(log)) {
            return List.of();
        }
        try {
            List<JsonNode> events = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                if (!line.isBlank()) {
                    events.add(JSON.readTree(line));
                }
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One run of the fixture, from its log.
     *
     * @param pid its process id
     * @param steps the steps it ran (1 to 6), in order
     * @param requests the files it asked the model for, in order
     * @param skipped the files of steps 4-6 it skipped because they existed
     * @param exitCode how it ended, or {@code null} when it did not log its end (killed, or still running)
     */
    public record Run(long pid, List<Integer> steps, List<String> requests, List<String> skipped, Integer exitCode) {}

    /** The runs logged so far, in the order they started. */
    public List<Run> runs() {
        // why: a run is one "start" event and what its process logs after it; in a sandbox with its own PID namespace
        // every run has the same pid, so the pid alone does not tell two runs apart
        List<RunBuilder> runs = new ArrayList<>();
        Map<Long, RunBuilder> current = new LinkedHashMap<>();
        for (JsonNode event : events()) {
            long pid = event.path("pid").asLong();
            RunBuilder run = current.get(pid);
            if (run == null || event.path("event").asText().equals("start")) {
                run = new RunBuilder(pid);
                current.put(pid, run);
                runs.add(run);
            }
            switch (event.path("event").asText()) {
                case "step" -> run.steps.add(event.path("step").asInt());
                case "request" -> run.requests.add(event.path("file").asText());
                case "skip" -> run.skipped.add(event.path("file").asText());
                case "exit" -> run.exitCode = event.path("code").asInt();
                default -> {
                    // start, paused: nothing to count
                }
            }
        }
        return runs.stream().map(RunBuilder::build).toList();
    }

    private static final class RunBuilder {
        final long pid;
        final List<Integer> steps = new ArrayList<>();
        final List<String> requests = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        Integer exitCode;

        RunBuilder(long pid) {
            this.pid = pid;
        }

        Run build() {
            return new Run(pid, List.copyOf(steps), List.copyOf(requests), List.copyOf(skipped), exitCode);
        }
    }

    @Override
    public String toString() {
        return "FondationCliFixture[" + Objects.toString(cli) + "]";
    }
}
