package io.fondation.worker.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KEDA manifests against KEDA's own CRD schemas (keda.sh/v1alpha1, compiled by {@code @kubernetes-models/keda}
 * in src/test/node, the worker tests' Node tools): what {@code kubectl apply} would refuse fails here, without a
 * cluster. {@link DeploymentFilesTest} holds the same files to the code (route, header, JSON path, grace periods).
 */
class KedaSchemasTest {

    private static final Path TOOLS = DeploymentFilesTest.ROOT.resolve("worker/src/test/node");
    private static final Path SCALED_OBJECT = DeploymentFilesTest.DOCKER.resolve("kubernetes/keda/scaledobject.yaml");
    private static final Path SCALED_JOB = DeploymentFilesTest.DOCKER.resolve("kubernetes/keda-jobs/scaledjob.yaml");
    private static final Path AUTHENTICATION =
            DeploymentFilesTest.DOCKER.resolve("kubernetes/keda/auth/triggerauthentication.yaml");

    @TempDir
    Path temp;

    @Test
    void theScaledObjectTheScaledJobAndTheirAuthenticationAreValidKedaResources() throws Exception {
        Outcome outcome = validate(SCALED_OBJECT, SCALED_JOB, AUTHENTICATION);

        assertThat(outcome.exit()).as(outcome.output()).isZero();
        assertThat(outcome.output())
                .contains("valid " + SCALED_OBJECT + ": ScaledObject fondation-worker")
                .contains("valid " + SCALED_JOB + ": ScaledJob fondation-worker-once")
                .contains("valid " + AUTHENTICATION + ": TriggerAuthentication fondation-depth");
    }

    @Test
    void aManifestKedaWouldRefuseFailsNamingTheField() throws Exception {
        // why: proves the check can fail, on the real file with one mistake each
        String scaledObject = Files.readString(SCALED_OBJECT);
        Path wrongType = Files.writeString(
                temp.resolve("wrong-type.yaml"),
                scaledObject.replaceFirst("(?m)^  pollingInterval: \\d+", "  pollingInterval: \"30s\""));
        Path missingTarget = Files.writeString(
                temp.resolve("missing-target.yaml"), scaledObject.replace("scaleTargetRef:", "target:"));
        assertThat(Files.readString(wrongType)).contains("pollingInterval: \"30s\"");

        Outcome typed = validate(wrongType);
        Outcome missing = validate(missingTarget);

        assertThat(typed.exit()).isEqualTo(1);
        assertThat(typed.output()).contains("INVALID").contains("pollingInterval must be integer");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.output()).contains("INVALID").contains("must have required property scaleTargetRef");
    }

    private record Outcome(int exit, String output) {}

    private Outcome validate(Path... files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "keda-schemas.mjs"));
        for (Path file : files) {
            command.add(file.toString());
        }
        Path log = temp.resolve("keda-schemas-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(command)
                .directory(TOOLS.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("node keda-schemas.mjs did not end in 60 s: " + Files.readString(log));
        }
        return new Outcome(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
