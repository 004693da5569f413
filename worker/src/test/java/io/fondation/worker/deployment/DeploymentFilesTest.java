package io.fondation.worker.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.logging.LogRedaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files under {@code docker/} agree with the worker: every variable they set is one
 * the worker documents (docs/configuration.md), {@code worker.env.example} lists every documented
 * variable, secrets are references and never values, the probes point at the health endpoints, and
 * every stop timeout is above the worker's shutdown grace.
 *
 * <p>Round 2 reads the variables from the code's catalog instead of the documentation table, and
 * checks that the probe paths answer.
 */
class DeploymentFilesTest {

    private static final Path ROOT =
            Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final Pattern VARIABLE = Pattern.compile("`([A-Z][A-Z0-9_]*\\*?)`");
    private static final Pattern ENV_LINE = Pattern.compile("^#?([A-Z][A-Z0-9_]*)=(.*)$");

    @Test
    void everyVariableTheFilesSetIsDocumented() throws IOException {
        Set<String> documented = documentedVariables();
        Map<String, Set<String>> setBy = new LinkedHashMap<>();
        setBy.put("worker.env.example", envExample().keySet());
        setBy.put("compose.yaml", composeEnvironment("compose.yaml"));
        setBy.put("compose.prod.yaml", composeEnvironment("compose.prod.yaml"));
        setBy.put("kubernetes/configmap.yaml", configMap().keySet());
        setBy.put("kubernetes/deployment.yaml", deploymentEnv().keySet());
        setBy.put("systemd/fondation-worker.service", systemdEnvironment().keySet());
        setBy.put("Dockerfile", dockerfileEnvironment());
        setBy.forEach((file, names) -> assertThat(names)
                .as(file + " sets only variables of docs/configuration.md")
                .isNotEmpty()
                .allSatisfy(name -> assertThat(isDocumented(name, documented))
                        .as(name + " in " + file)
                        .isTrue()));
    }

    @Test
    void theEnvExampleListsEveryDocumentedVariable() throws IOException {
        Set<String> documented = new LinkedHashSet<>(documentedVariables());
        documented.removeIf(name -> name.endsWith("*"));
        assertThat(envExample().keySet()).containsAll(documented);
    }

    @Test
    void secretsAreReferencedNeverWritten() throws IOException {
        Map<String, Object> env = deploymentEnv();
        for (String secret : LogRedaction.SECRET_VARIABLES) {
            assertThat(configMap()).as("the ConfigMap holds no secret").doesNotContainKey(secret);
            assertThat(composeEnvironment("compose.yaml")).doesNotContain(secret);
            assertThat(composeEnvironment("compose.prod.yaml")).doesNotContain(secret);
            assertThat(systemdEnvironment()).doesNotContainKey(secret);
            if (env.containsKey(secret)) {
                assertThat(env.get(secret))
                        .as(secret + " in deployment.yaml")
                        .isInstanceOf(Map.class)
                        .satisfies(entry ->
                                assertThat(map(map(entry).get("valueFrom"))).containsKey("secretKeyRef"));
            }
            assertThat(envExample().getOrDefault(secret, ""))
                    .as(secret + " has no value in worker.env.example")
                    .isEmpty();
        }
        assertThat(env).containsKey("FONDATION_WORKER_SECRET");
    }

    @Test
    void probesPointAtTheHealthEndpoints() throws IOException {
        Map<String, Object> container = workerContainer();
        assertThat(probePath(container, "livenessProbe")).isEqualTo("/health/live");
        assertThat(probePath(container, "startupProbe")).isEqualTo("/health/live");
        assertThat(probePath(container, "readinessProbe")).isEqualTo("/health/ready");
        Map<String, Object> pdb = yaml("kubernetes/poddisruptionbudget.yaml").get(0);
        Map<String, Object> template = map(map(deployment().get("spec")).get("template"));
        assertThat(map(map(template.get("metadata")).get("labels")))
                .as("the PodDisruptionBudget selects the Deployment's pods")
                .containsAllEntriesOf(
                        map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")));
    }

    @Test
    void everyStopTimeoutIsAboveTheShutdownGrace() throws IOException {
        Duration grace = Duration.ofMillis(Long.parseLong(String.valueOf(
                configMap().getOrDefault("SHUTDOWN_GRACE", WorkerConfigLoader.DEFAULT_SHUTDOWN_GRACE.toMillis()))));
        Map<String, Object> podSpec =
                map(map(map(deployment().get("spec")).get("template")).get("spec"));
        assertThat(Duration.ofSeconds(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue()))
                .as("terminationGracePeriodSeconds")
                .isGreaterThan(grace);

        Map<String, Object> worker =
                map(map(yaml("compose.yaml").get(0).get("services")).get("worker"));
        Duration composeGrace = Duration.ofMillis(Long.parseLong(String.valueOf(
                map(map(map(yaml("compose.prod.yaml").get(0).get("services")).get("worker"))
                                .get("environment"))
                        .getOrDefault("SHUTDOWN_GRACE", WorkerConfigLoader.DEFAULT_SHUTDOWN_GRACE.toMillis()))));
        assertThat(seconds(String.valueOf(worker.get("stop_grace_period"))))
                .as("compose stop_grace_period")
                .isGreaterThan(composeGrace);

        Map<String, String> unit = systemdSettings();
        Duration unitGrace = Duration.ofMillis(Long.parseLong(systemdEnvironment()
                .getOrDefault("SHUTDOWN_GRACE", String.valueOf(WorkerConfigLoader.DEFAULT_SHUTDOWN_GRACE.toMillis()))));
        assertThat(Duration.ofSeconds(Long.parseLong(unit.get("TimeoutStopSec"))))
                .as("systemd TimeoutStopSec")
                .isGreaterThan(unitGrace);
        assertThat(unit).containsEntry("KillMode", "mixed").containsEntry("RestartPreventExitStatus", "2");
    }

    // ------------------------------------------------------------------ the files

    /** The variable names of docs/configuration.md's tables (first column); {@code ANTHROPIC_*} stays a prefix. */
    static Set<String> documentedVariables() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/configuration.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("| `")) {
                Matcher m = VARIABLE.matcher(line.substring(0, line.indexOf('|', 1)));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).contains("CONVEX_URL", "SHUTDOWN_GRACE", "LOG_FORMAT");
        return names;
    }

    private static boolean isDocumented(String name, Set<String> documented) {
        return documented.contains(name)
                || documented.stream()
                        .filter(d -> d.endsWith("*"))
                        .anyMatch(d -> name.startsWith(d.substring(0, d.length() - 1)));
    }

    private static Map<String, String> envExample() throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKER.resolve("worker.env.example"), StandardCharsets.UTF_8)) {
            Matcher m = ENV_LINE.matcher(line);
            if (m.matches()) {
                vars.put(m.group(1), line.startsWith("#") ? "" : m.group(2));
            }
        }
        return vars;
    }

    private static Set<String> composeEnvironment(String file) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        map(yaml(file).get(0).get("services"))
                .values()
                .forEach(service -> names.addAll(
                        map(map(service).getOrDefault("environment", Map.of())).keySet()));
        return names;
    }

    private static Map<String, Object> configMap() throws IOException {
        return map(yaml("kubernetes/configmap.yaml").get(0).get("data"));
    }

    private static Map<String, Object> deployment() throws IOException {
        return yaml("kubernetes/deployment.yaml").get(0);
    }

    private static Map<String, Object> workerContainer() throws IOException {
        Map<String, Object> podSpec =
                map(map(map(deployment().get("spec")).get("template")).get("spec"));
        return map(((List<?>) podSpec.get("containers")).get(0));
    }

    private static Map<String, Object> deploymentEnv() throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object entry : (List<?>) workerContainer().get("env")) {
            env.put(String.valueOf(map(entry).get("name")), entry);
        }
        return env;
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return String.valueOf(map(map(container.get(probe)).get("httpGet")).get("path"));
    }

    private static Map<String, String> systemdSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : unitLines()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#") && !line.startsWith("Environment=")) {
                settings.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return settings;
    }

    private static Map<String, String> systemdEnvironment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : unitLines()) {
            if (line.startsWith("Environment=")) {
                String assignment = line.substring("Environment=".length());
                env.put(
                        assignment.substring(0, assignment.indexOf('=')),
                        assignment.substring(assignment.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static List<String> unitLines() throws IOException {
        return Files.readAllLines(DOCKER.resolve("systemd/fondation-worker.service"), StandardCharsets.UTF_8);
    }

    /** The names the Dockerfile's final stage sets with ENV (its build stage sets none that the worker reads). */
    private static Set<String> dockerfileEnvironment() throws IOException {
        String text = Files.readString(DOCKER.resolve("Dockerfile"), StandardCharsets.UTF_8);
        Matcher env = Pattern.compile("(?m)^ENV ((?:.*\\\\\\n)*.*)$").matcher(text);
        Set<String> names = new LinkedHashSet<>();
        while (env.find()) {
            Matcher name = Pattern.compile("([A-Z][A-Z0-9_]*)=").matcher(env.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        // HOME, LANG and DISABLE_AUTOUPDATER are for the processes in the image, not worker settings.
        names.removeAll(Set.of("HOME", "LANG", "DISABLE_AUTOUPDATER"));
        return names;
    }

    private static Duration seconds(String composeDuration) {
        assertThat(composeDuration).matches("\\d+s");
        return Duration.ofSeconds(Long.parseLong(composeDuration.substring(0, composeDuration.length() - 1)));
    }

    private static List<Map<String, Object>> yaml(String file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object doc : parser.loadAll(Files.readString(DOCKER.resolve(file), StandardCharsets.UTF_8))) {
            docs.add(map(doc));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
