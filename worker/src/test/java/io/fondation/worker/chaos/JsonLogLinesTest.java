package io.fondation.worker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.convexqueue.testing.LocalConvexServer;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code LOG_FORMAT=json}: every line a real worker process prints, on stdout and stderr (one file here), is one JSON
 * object from the very first, through its start, a job and its stop, several starts in a row (SLF4J's replay notice,
 * the JVM's warnings and any other text would break a pipeline that parses every line).
 */
@Tag("slow")
class JsonLogLinesTest {

    private static final int STARTS = 3;

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyLineOfEveryStartIsJsonFromTheFirst(Backend backend) throws Exception {
        // why: readTree otherwise parses the first value of a line and ignores the text after it
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try (ChaosWorld world = new ChaosWorld(backend, temp, CONVEX)) {
            for (int i = 0; i < STARTS; i++) {
                String id = world.submit("");
                WorkerProcess worker = world.startWorker("json-" + i, Map.of("LOG_FORMAT", "json"));
                world.awaitStatus(id, JobStatus.COMPLETED, Duration.ofSeconds(60));
                worker.awaitOutput("completed in attempt 1/", Duration.ofSeconds(10));
                worker.terminate();
                assertThat(worker.awaitExit(Duration.ofSeconds(30)))
                        .as(worker.output())
                        .isZero();

                List<String> lines = worker.output().lines().toList();
                assertThat(lines).as("start, job and stop").hasSizeGreaterThan(5);
                for (String line : lines) {
                    JsonNode node = mapper.readTree(line);
                    assertThat(node.isObject()).as("a JSON object: " + line).isTrue();
                    assertThat(node.has("message")).as(line).isTrue();
                }
                assertThat(worker.output()).contains("\"Worker json-" + i + " stopped\"");
                System.out.printf("json logs %s, start %d: %d lines, all JSON%n", backend, i + 1, lines.size());
            }
        }
    }
}
