package io.fondation.worker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.engine.runtime.LogFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's real logging set-up ({@link WorkerLogConfigurator}) in a child JVM: {@code LOG_FORMAT=json} prints one JSON
 * object per line with the documented fields, {@code text} prints readable lines, and no fake secret
 * survives in any field of either format.
 */
class LogOutputTest {

    /** Matches no token pattern: only the known-value masking catches it. */
    private static final String WORKER_SECRET = "fake-worker-secret-value-1234";

    private static final List<String> SECRETS = List.of(
            LogEmitterMain.GITHUB_TOKEN_SHAPED,
            LogEmitterMain.ANTHROPIC_SHAPED,
            "FAKEbearerVALUE123456",
            WORKER_SECRET);

    @TempDir
    Path temp;

    @Test
    void jsonLinesCarryTheFieldsAndNoSecret() throws Exception {
        String output = emit("json");
        assertNoSecret(output);

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            lines.add(json.readTree(line)); // every line is one JSON object
        }
        assertThat(lines).hasSize(5).allSatisfy(line -> {
            assertThat(line.isObject()).isTrue();
            assertThat(line.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z");
            assertThat(line.path("level").asText()).isIn("INFO", "WARN", "ERROR");
            assertThat(line.path("logger").asText()).isEqualTo("io.fondation.engine.runtime.Worker");
            assertThat(line.path("message").isTextual()).isTrue();
        });

        JsonNode first = lines.get(0);
        assertThat(first.path(LogFields.WORKER_ID).asText()).isEqualTo("worker-test-1");
        assertThat(first.path(LogFields.JOB_ID).asText()).isEqualTo("job-42");
        assertThat(first.path(LogFields.ATTEMPT).isNumber()).isTrue();
        assertThat(first.path(LogFields.ATTEMPT).asInt()).isEqualTo(2);
        assertThat(first.path("message").asText())
                .isEqualTo("cloning https://[REDACTED]@github.com/o/r.git")
                .doesNotContain("x-access-token");

        assertThat(lines.get(1).path("message").asText())
                .isEqualTo("the worker secret is [REDACTED] and must not show");

        JsonNode warn = lines.get(2);
        assertThat(warn.path("note").asText()).as("an MDC value").isEqualTo("Bearer [REDACTED]");
        assertThat(warn.path("credential").asText()).as("a key-value pair").isEqualTo("[REDACTED]");

        JsonNode error = lines.get(3);
        assertThat(error.path("level").asText()).isEqualTo("ERROR");
        assertThat(error.path("exception").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.path("stack_trace").asText())
                .contains("java.lang.IllegalStateException: analyzer said: invalid key [REDACTED]")
                .contains("Caused by: java.lang.RuntimeException: cause with [REDACTED]")
                .contains("at io.fondation.worker.logging.LogEmitterMain.main");

        JsonNode last = lines.get(4);
        assertThat(last.has(LogFields.JOB_ID)).as("no MDC once cleared").isFalse();
        assertThat(last.has("stack_trace")).isFalse();
    }

    @Test
    void textLinesAreReadableAndCarryNoSecret() throws Exception {
        String output = emit("text");
        assertNoSecret(output);
        assertThat(output.lines().findFirst().orElseThrow())
                .matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[main\\] \\S+ \\[job job-42\\] - cloning https://\\[REDACTED\\]@github.com/o/r.git");
        assertThat(output).contains("the worker secret is [REDACTED]");
        assertThat(output).contains("java.lang.IllegalStateException: analyzer said: invalid key [REDACTED]");
        assertThat(output).contains("Caused by: java.lang.RuntimeException: cause with [REDACTED]");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow())
                .as("no job tag without a job")
                .endsWith("Worker - no job now");
    }

    @Test
    void anUnknownFormatLogsTextAndIsRefusedByValidation() throws Exception {
        assertThat(emit("xml")).contains("[job job-42] - cloning");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogFormat.fromEnvironment(Map.of("LOG_FORMAT", "xml")))
                .hasMessageContaining("LOG_FORMAT")
                .hasMessageContaining("'xml' is neither text nor json");
        assertThat(LogFormat.fromEnvironment(Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.fromEnvironment(Map.of("LOG_FORMAT", " JSON "))).isEqualTo(LogFormat.JSON);
    }

    private static void assertNoSecret(String output) {
        for (String secret : SECRETS) {
            assertThat(output).as("the log output").doesNotContain(secret);
        }
        assertThat(output).contains("[REDACTED]");
    }

    @Test
    void anOperatorsOwnConfigurationFileWins() throws Exception {
        Path own = temp.resolve("own-logback.xml");
        Files.writeString(
                own,
                "<configuration><appender name=\"E\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                        + "<target>System.err</target><encoder><pattern>OWN %msg%n</pattern></encoder></appender>"
                        + "<root level=\"INFO\"><appender-ref ref=\"E\"/></root></configuration>");

        String output = emit("json", "-Dlogback.configurationFile=" + own);

        assertThat(output).contains("OWN cloning").doesNotContain("\"level\":\"INFO\"");
    }

    @Test
    void theRootLevelComesFromLogLevelAndIsInfoWhenUnknown() {
        assertThat(WorkerLogConfigurator.rootLevel(null)).isEqualTo(Level.INFO);
        assertThat(WorkerLogConfigurator.rootLevel(" debug ")).isEqualTo(Level.DEBUG);
        assertThat(WorkerLogConfigurator.rootLevel("WARN")).isEqualTo(Level.WARN);
        assertThat(WorkerLogConfigurator.rootLevel("verbose")).isEqualTo(Level.INFO);
    }

    /** Runs {@link LogEmitterMain} with the worker's own logging set-up; returns its stderr. */
    private String emit(String format, String... jvmOptions) throws IOException, InterruptedException {
        assertThat(LogOutputTest.class.getResource("/logback.xml"))
                .as("no logback.xml on the class path: the worker configures logging in code")
                .isNull();
        Path stderr = temp.resolve("stderr-" + format + ".txt");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LogEmitterMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment()
                .keySet()
                .removeIf(name -> name.startsWith("LOG_") || LogRedaction.SECRET_VARIABLES.contains(name));
        builder.environment().put("LOG_FORMAT", format);
        builder.environment().put("LOG_LEVEL", "INFO");
        builder.environment().put("FONDATION_WORKER_SECRET", WORKER_SECRET);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
