package io.fondation.worker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import io.fondation.worker.config.WorkerConfig;
import io.fondation.worker.config.WorkerConfigLoader;
import io.fondation.worker.e2e.WorkerFixture;
import io.fondation.worker.logging.LogRedaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files under {@code docker/} agree with the code:
 * <ul>
 *   <li>every variable they set is one the worker reads ({@link ConfigVariables}), and each file's settings load
 *       without a configuration error;
 *   <li>secrets are references (a Kubernetes Secret, {@code worker.env}) and never values;
 *   <li>every HTTP path they probe or scrape answers 200 on a real worker's health server;
 *   <li>every stop timeout (Kubernetes {@code terminationGracePeriodSeconds}, compose {@code stop_grace_period},
 *       systemd {@code TimeoutStopSec}) is above the {@code SHUTDOWN_GRACE} that file's settings give the worker;
 *   <li>the KEDA files ({@code kubernetes/keda}, {@code kubernetes/keda-jobs}) read the depth route as the Convex
 *       functions serve it (path, token header, a field of its answer, within its limit), scale on
 *       {@code MAX_CONCURRENT_JOBS}, run {@code run --once} in the Deployment's pod with graces above the worker's,
 *       and keep the depth token KEDA's alone.
 * </ul>
 * {@code worker.env.example} and {@code docs/configuration.md} against the catalog: {@link ConfigurationDocsTest}.
 */
class DeploymentFilesTest {

    static final Path ROOT =
            Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    static final Path DOCKER = ROOT.resolve("docker");
    private static final Pattern ENV_LINE = Pattern.compile("^#?([A-Z][A-Z0-9_]*)=(.*)$");
    /** Set by the Dockerfile for the processes in the image, not worker settings. */
    private static final Set<String> IMAGE_VARIABLES = Set.of("HOME", "LANG", "DISABLE_AUTOUPDATER", "JAVA_OPTS");

    @TempDir
    Path temp;

    @Test
    void everyVariableTheFilesSetIsOneTheWorkerReads() throws IOException {
        Map<String, Set<String>> setBy = new LinkedHashMap<>();
        setBy.put("worker.env.example", envExample().keySet());
        setBy.put("compose.yaml", composeEnvironment("compose.yaml"));
        setBy.put("compose.prod.yaml", composeEnvironment("compose.prod.yaml"));
        setBy.put("kubernetes/configmap.yaml", configMap().keySet());
        setBy.put("kubernetes/deployment.yaml", deploymentEnv().keySet());
        Set<String> unit = new LinkedHashSet<>(systemdEnvironment().keySet());
        assertThat(unit.remove("JAVA_OPTS"))
                .as("the unit gives the launcher its JVM options")
                .isTrue();
        setBy.put("systemd/fondation-worker.service", unit);
        Set<String> image = dockerfileEnvironment();
        image.removeAll(IMAGE_VARIABLES);
        setBy.put("Dockerfile", image);
        setBy.forEach((file, names) -> assertThat(names)
                .as(file + " sets only variables of io.fondation.worker.config.ConfigVariables")
                .isNotEmpty()
                .allSatisfy(name -> assertThat(ConfigVariables.named(name))
                        .as(name + " in " + file)
                        .isPresent()));
    }

    @Test
    void eachFilesSettingsLoadWithoutAConfigurationError() throws IOException {
        // A value the loader refuses would stop the worker with exit code 2 in that deployment.
        assertThat(kubernetesConfig().queue().kind().configName()).isEqualTo("convex");
        assertThat(composeConfig("worker").queue().kind().configName()).isEqualTo("convex");
        assertThat(composeConfig("worker-dev").queue().kind().configName()).isEqualTo("embedded");
        assertThat(systemdConfig().tempDir()).isEqualTo(Path.of("/var/cache/fondation"));
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
        assertThat(ConfigVariables.all().stream().filter(ConfigVariable::secret).map(ConfigVariable::name))
                .as("the catalog's secrets are redacted in logs")
                .allSatisfy(name -> assertThat(LogRedaction.SECRET_VARIABLES).contains(name));
        assertThat(env).containsKey("FONDATION_WORKER_SECRET");
    }

    @Test
    void theProbedAndScrapedPathsAnswerOnARealWorker() throws Exception {
        Map<String, Object> container = workerContainer();
        assertThat(probePath(container, "livenessProbe")).isEqualTo("/health/live");
        assertThat(probePath(container, "startupProbe")).isEqualTo("/health/live");
        assertThat(probePath(container, "readinessProbe")).isEqualTo("/health/ready");
        Map<String, Object> annotations =
                map(map(map(map(deployment().get("spec")).get("template")).get("metadata"))
                        .get("annotations"));
        Set<String> paths = new LinkedHashSet<>();
        for (String probe : List.of("livenessProbe", "startupProbe", "readinessProbe")) {
            paths.add(probePath(container, probe));
        }
        paths.add(String.valueOf(annotations.get("prometheus.io/path")));
        paths.add(dockerfileHealthcheckPath());
        assertThat(String.valueOf(annotations.get("prometheus.io/port")))
                .isEqualTo(String.valueOf(WorkerConfigLoader.DEFAULT_HEALTH_PORT));

        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (WorkerFixture worker = new WorkerFixture(temp).start()) {
            int port = worker.runtime.healthPort();
            // Ready once the queue has answered a poll.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> worker.runtime.worker().health().ready());
            for (String path : paths) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
            }
        }
        Map<String, Object> pdb = yaml("kubernetes/poddisruptionbudget.yaml").get(0);
        Map<String, Object> template = map(map(deployment().get("spec")).get("template"));
        assertThat(map(map(template.get("metadata")).get("labels")))
                .as("the PodDisruptionBudget selects the Deployment's pods")
                .containsAllEntriesOf(
                        map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")));
    }

    @Test
    void everyStopTimeoutIsAboveTheShutdownGraceOfItsSettings() throws IOException {
        Map<String, Object> podSpec =
                map(map(map(deployment().get("spec")).get("template")).get("spec"));
        assertThat(Duration.ofSeconds(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue()))
                .as("Kubernetes terminationGracePeriodSeconds")
                .isGreaterThan(kubernetesConfig().shutdownGrace());

        for (String service : List.of("worker", "worker-dev")) {
            assertThat(composeStopGrace(service))
                    .as("compose stop_grace_period of " + service)
                    .isGreaterThan(composeConfig(service).shutdownGrace());
        }

        Map<String, String> unit = systemdSettings();
        assertThat(Duration.ofSeconds(Long.parseLong(unit.get("TimeoutStopSec"))))
                .as("systemd TimeoutStopSec")
                .isGreaterThan(systemdConfig().shutdownGrace());
        assertThat(unit).containsEntry("KillMode", "mixed").containsEntry("RestartPreventExitStatus", "2");
    }

    @Test
    void everyDocumentedLaunchCommandStartsTheJvmWithTheArchiveAndTheQuickJit() throws IOException {
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(dockerfile());
        assertThat(entrypoint.find()).as("the Dockerfile's ENTRYPOINT").isTrue();
        String execStart = unitLines().stream()
                .filter(line -> line.startsWith("ExecStart="))
                .findFirst()
                .orElseThrow();
        List<String> readmeLines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        // The README's commands are the launcher's, whose options are checked below (and run by LauncherTest).
        assertThat(readmeLines.stream().filter(line -> line.startsWith("./mvnw -q -DskipTests package && ")))
                .as("the README's first command")
                .first()
                .asString()
                .contains("worker/target/fondation-worker/bin/fondation-worker ");
        assertThat(readmeLines).contains("worker/target/fondation-worker/bin/fondation-worker run");
        String launcher =
                Files.readString(ROOT.resolve("worker/src/dist/bin/fondation-worker"), StandardCharsets.UTF_8);
        // The image and the systemd unit start the worker with the launcher.
        assertThat(entrypoint.group(1))
                .as("Dockerfile ENTRYPOINT")
                .endsWith("\"/opt/fondation/bin/fondation-worker\"]");
        assertThat(dockerfile()).contains("COPY worker/target/fondation-worker/bin/fondation-worker");
        assertThat(Files.readString(DOCKER.resolve("Dockerfile.dockerignore"), StandardCharsets.UTF_8))
                .contains("!worker/target/fondation-worker/bin/fondation-worker");
        assertThat(execStart).as("systemd ExecStart").isEqualTo("ExecStart=/opt/fondation/bin/fondation-worker run");
        // why: the figures of docs/performance.md are measured with these options (BenchEnv.documentedOptions)
        assertThat(launcher)
                .as("the launcher")
                .contains("-XX:SharedArchiveFile=")
                .contains("-XX:TieredStopAtLevel=1")
                .contains("-jar");
    }

    // ------------------------------------------------------------------ each file's settings, loaded

    // ---------------------------------------------------------------- KEDA (docker/kubernetes/keda, keda-jobs)

    @Test
    void theScaledObjectsTriggerReadsTheDepthRouteAsTheConvexFunctionsServeIt() throws IOException {
        Map<String, Object> scaledObject =
                yaml("kubernetes/keda/scaledobject.yaml").get(0);
        Map<String, Object> spec = map(scaledObject.get("spec"));
        assertThat(map(spec.get("scaleTargetRef")).get("name"))
                .as("the Deployment it scales")
                .isEqualTo(map(deployment().get("metadata")).get("name"));
        Map<String, Object> trigger = map(((List<?>) spec.get("triggers")).get(0));
        assertDepthTrigger(trigger);
        assertThat(String.valueOf(map(trigger.get("metadata")).get("targetValue")))
                .as("targetValue is MAX_CONCURRENT_JOBS of configmap.yaml: workers = ceil(wanted / slots)")
                .isEqualTo(String.valueOf(configMap().get("MAX_CONCURRENT_JOBS")));
        assertThat(trigger.get("metricType")).isEqualTo("AverageValue");
        long slots = ((Number) spec.get("maxReplicaCount")).longValue()
                * kubernetesConfig().maxConcurrentJobs();
        assertThat(slots)
                .as(
                        "maxReplicaCount x MAX_CONCURRENT_JOBS within the route's limit: past it the counts say \"at least\"")
                .isLessThanOrEqualTo(routeLimit(trigger));
        assertThat(spec.get("minReplicaCount")).isEqualTo(0);
    }

    @Test
    void theScaledJobRunsOneJobPerPodInTheDeploymentsPodWithGracesAboveTheWorkers() throws IOException {
        Map<String, Object> scaledJob =
                yaml("kubernetes/keda-jobs/scaledjob.yaml").get(0);
        Map<String, Object> spec = map(scaledJob.get("spec"));
        Map<String, Object> trigger = map(((List<?>) spec.get("triggers")).get(0));
        assertDepthTrigger(trigger);
        assertThat(String.valueOf(map(trigger.get("metadata")).get("targetValue")))
                .as("one job per pod")
                .isEqualTo("1");
        assertThat(((Number) spec.get("maxReplicaCount")).longValue()).isLessThanOrEqualTo(routeLimit(trigger));

        Map<String, Object> jobSpec = map(spec.get("jobTargetRef"));
        Map<String, Object> podSpec = map(map(jobSpec.get("template")).get("spec"));
        Map<String, Object> container = map(((List<?>) podSpec.get("containers")).get(0));
        assertThat(container.get("args")).isEqualTo(List.of("run", "--once"));
        assertThat(podSpec.get("restartPolicy")).isEqualTo("Never");

        // The pod is the Deployment's but for args, probes, restartPolicy and the one-job setting.
        Map<String, Object> deploymentPod = new LinkedHashMap<>(
                map(map(map(deployment().get("spec")).get("template")).get("spec")));
        Map<String, Object> jobPod = new LinkedHashMap<>(podSpec);
        Map<String, Object> deploymentContainer = new LinkedHashMap<>(workerContainer());
        Map<String, Object> jobContainer = new LinkedHashMap<>(container);
        for (Map<String, Object> c : List.of(deploymentContainer, jobContainer)) {
            List.of("args", "startupProbe", "livenessProbe", "readinessProbe", "env")
                    .forEach(c::remove);
        }
        assertThat(jobContainer)
                .as("the container apart from args, probes and env")
                .isEqualTo(deploymentContainer);
        deploymentPod.remove("containers");
        jobPod.remove("containers");
        jobPod.remove("restartPolicy");
        assertThat(jobPod)
                .as("the pod apart from its container and restartPolicy")
                .isEqualTo(deploymentPod);
        Map<String, Object> deploymentEnv = deploymentEnv();
        Map<String, Object> jobEnv = new LinkedHashMap<>();
        for (Object entry : (List<?>) container.get("env")) {
            jobEnv.put(String.valueOf(map(entry).get("name")), entry);
        }
        assertThat(map(jobEnv.remove("MAX_CONCURRENT_JOBS")).get("value")).isEqualTo("1");
        deploymentEnv.remove("MAX_CONCURRENT_JOBS");
        assertThat(jobEnv).as("the env apart from MAX_CONCURRENT_JOBS").isEqualTo(deploymentEnv);

        WorkerConfig config = kubernetesConfig();
        assertThat(Duration.ofSeconds(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue()))
                .as("terminationGracePeriodSeconds above SHUTDOWN_GRACE")
                .isGreaterThan(config.shutdownGrace());
        assertThat(Duration.ofSeconds(((Number) jobSpec.get("activeDeadlineSeconds")).longValue()))
                .as("activeDeadlineSeconds above ANALYZER_TIMEOUT + SHUTDOWN_GRACE: it stops a stuck pod, never an"
                        + " analysis")
                .isGreaterThan(config.analyzer().timeout().plus(config.shutdownGrace()));
    }

    @Test
    void theDepthTokenIsKedasAloneAndNeverWrittenInTheFiles() throws IOException {
        Map<String, Object> auth =
                yaml("kubernetes/keda/auth/triggerauthentication.yaml").get(0);
        Map<String, Object> ref = map(((List<?>) map(auth.get("spec")).get("secretTargetRef")).get(0));
        assertThat(ref).containsEntry("parameter", "apiKey").containsEntry("key", "FONDATION_DEPTH_TOKEN");
        String secretName = String.valueOf(ref.get("name"));
        for (String file : List.of("kubernetes/keda/scaledobject.yaml", "kubernetes/keda-jobs/scaledjob.yaml")) {
            Map<String, Object> trigger =
                    map(((List<?>) map(yaml(file).get(0).get("spec")).get("triggers")).get(0));
            assertThat(map(trigger.get("authenticationRef")).get("name"))
                    .as(file + " authenticates with the TriggerAuthentication")
                    .isEqualTo(map(auth.get("metadata")).get("name"));
        }
        Map<String, Object> example =
                yaml("kubernetes/keda/secret.example.yaml").get(0);
        assertThat(map(example.get("metadata")).get("name")).isEqualTo(secretName);
        assertThat(map(example.get("stringData")))
                .as("an example, no value")
                .containsOnly(Map.entry("FONDATION_DEPTH_TOKEN", "replace-me"));
        for (String dir : List.of("kubernetes/keda", "kubernetes/keda/auth", "kubernetes/keda-jobs")) {
            try (var files = Files.list(DOCKER.resolve(dir))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                        .filter(f -> !f.getFileName().toString().equals("secret.example.yaml"))
                        .toList()) {
                    assertThat(Files.readString(file, StandardCharsets.UTF_8))
                            .as(file + " holds no Secret: the token is the Secret's, created by hand")
                            .doesNotContain("kind: Secret")
                            .doesNotContainPattern("(?m)^\\s*(data|stringData):");
                }
            }
        }
        // The worker pods never see the depth token: it is KEDA's.
        String deploymentText = Files.readString(DOCKER.resolve("kubernetes/deployment.yaml"), StandardCharsets.UTF_8);
        String scaledJobText =
                Files.readString(DOCKER.resolve("kubernetes/keda-jobs/scaledjob.yaml"), StandardCharsets.UTF_8);
        String podTemplate =
                scaledJobText.substring(scaledJobText.indexOf("jobTargetRef:"), scaledJobText.indexOf("triggers:"));
        for (String text : List.of(deploymentText, podTemplate)) {
            assertThat(text).doesNotContain("name: " + secretName).doesNotContain("FONDATION_DEPTH_TOKEN");
        }
    }

    /** The trigger of either shape: metrics-api on the route's path, its header, a field of its answer. */
    private static void assertDepthTrigger(Map<String, Object> trigger) throws IOException {
        assertThat(trigger.get("type")).isEqualTo("metrics-api");
        Map<String, Object> metadata = map(trigger.get("metadata"));
        URI url = URI.create(String.valueOf(metadata.get("url")));
        assertThat(url.getPath()).as("the route's path (http.ts)").isEqualTo(tsConstant("http.ts", "DEPTH_ROUTE_PATH"));
        assertThat(metadata).containsEntry("authMode", "apiKey").containsEntry("method", "header");
        assertThat(metadata.get("keyParamName"))
                .as("the route's token header (lib/auth.ts)")
                .isEqualTo(tsConstant("lib/auth.ts", "DEPTH_TOKEN_HEADER"));
        assertThat(depthAnswerFields())
                .as("valueLocation names a field of the route's answer (lib/depth.ts QueueDepth)")
                .contains(String.valueOf(metadata.get("valueLocation")));
        assertThat(metadata.get("valueLocation"))
                .as("the sum to scale on, not pending")
                .isEqualTo("wanted");
    }

    /** The route's limit for the trigger's url: its {@code ?limit=}, else the route's default (lib/depth.ts). */
    private static long routeLimit(Map<String, Object> trigger) throws IOException {
        URI url = URI.create(String.valueOf(map(trigger.get("metadata")).get("url")));
        Matcher limit = Pattern.compile("(?:^|&)limit=(\\d+)").matcher(url.getQuery() == null ? "" : url.getQuery());
        return limit.find()
                ? Long.parseLong(limit.group(1))
                : Long.parseLong(
                        tsConstant("lib/depth.ts", "DEFAULT_DEPTH_LIMIT").replace("_", ""));
    }

    private static final Path CONVEX_FUNCTIONS = ROOT.resolve("convex-queue").resolve("convex");

    /** The value of {@code export const NAME = ...;} in a Convex function file (a string's quotes removed). */
    private static String tsConstant(String file, String name) throws IOException {
        String text = Files.readString(CONVEX_FUNCTIONS.resolve(file), StandardCharsets.UTF_8);
        Matcher matcher =
                Pattern.compile("export const " + name + " = \"?([^\";]+)\"?;").matcher(text);
        assertThat(matcher.find()).as(name + " in " + file).isTrue();
        return matcher.group(1);
    }

    /** The field names of the route's answer, {@code interface QueueDepth} of lib/depth.ts. */
    private static Set<String> depthAnswerFields() throws IOException {
        String text = Files.readString(CONVEX_FUNCTIONS.resolve("lib/depth.ts"), StandardCharsets.UTF_8);
        int start = text.indexOf("export interface QueueDepth {");
        assertThat(start).as("interface QueueDepth in lib/depth.ts").isNotNegative();
        String body = text.substring(start, text.indexOf('}', start));
        Set<String> fields = new LinkedHashSet<>();
        Matcher field = Pattern.compile("(?m)^\\s+(\\w+):").matcher(body);
        while (field.find()) {
            fields.add(field.group(1));
        }
        return fields;
    }

    /** The ConfigMap and the Deployment's literal values (the secrets are references, left out). */
    private static WorkerConfig kubernetesConfig() throws IOException {
        Map<String, String> env = strings(configMap());
        deploymentEnv().forEach((name, entry) -> {
            Object value = map(entry).get("value");
            if (value != null) {
                env.put(name, String.valueOf(value));
            }
        });
        return WorkerConfigLoader.load(env);
    }

    /** A compose service: worker.env (from the example) when it uses it, then compose.yaml's and compose.prod.yaml's. */
    private static WorkerConfig composeConfig(String service) throws IOException {
        Map<String, Object> base = composeService("compose.yaml", service);
        Map<String, String> env = new LinkedHashMap<>();
        if (base.containsKey("env_file")) {
            env.putAll(envExampleValues());
        }
        env.putAll(strings(map(base.getOrDefault("environment", Map.of()))));
        env.putAll(strings(map(composeService("compose.prod.yaml", service).getOrDefault("environment", Map.of()))));
        return WorkerConfigLoader.load(env);
    }

    private static Duration composeStopGrace(String service) throws IOException {
        Object prod = composeService("compose.prod.yaml", service).get("stop_grace_period");
        Object value =
                prod != null ? prod : composeService("compose.yaml", service).get("stop_grace_period");
        String text = String.valueOf(value);
        assertThat(text).as("stop_grace_period of " + service).matches("\\d+s");
        return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    }

    /** The unit's EnvironmentFile (worker.env, from the example), then its Environment= lines. */
    private static WorkerConfig systemdConfig() throws IOException {
        Map<String, String> env = new LinkedHashMap<>(envExampleValues());
        env.putAll(systemdEnvironment());
        return WorkerConfigLoader.load(env);
    }

    // ------------------------------------------------------------------ the files

    /** Every variable worker.env.example names, set or commented out, with its value ("" when commented). */
    static Map<String, String> envExample() throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKER.resolve("worker.env.example"), StandardCharsets.UTF_8)) {
            Matcher m = ENV_LINE.matcher(line);
            if (m.matches()) {
                vars.put(m.group(1), line.startsWith("#") ? "" : m.group(2));
            }
        }
        return vars;
    }

    /** The values worker.env.example sets (its uncommented lines), as docker --env-file reads them. */
    private static Map<String, String> envExampleValues() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKER.resolve("worker.env.example"), StandardCharsets.UTF_8)) {
            Matcher m = ENV_LINE.matcher(line);
            if (m.matches() && !line.startsWith("#") && !m.group(2).isEmpty()) {
                values.put(m.group(1), m.group(2));
            }
        }
        return values;
    }

    private static Set<String> composeEnvironment(String file) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        map(yaml(file).get(0).get("services"))
                .values()
                .forEach(service -> names.addAll(
                        map(map(service).getOrDefault("environment", Map.of())).keySet()));
        return names;
    }

    private static Map<String, Object> composeService(String file, String service) throws IOException {
        Object found = map(yaml(file).get(0).get("services")).get(service);
        return found == null ? Map.of() : map(found);
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
                // why the quotes: systemd's Environment="NAME=a b" keeps a value with blanks whole
                String assignment = line.substring("Environment=".length()).replace("\"", "");
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

    private static String dockerfile() throws IOException {
        return Files.readString(DOCKER.resolve("Dockerfile"), StandardCharsets.UTF_8);
    }

    /** The names the Dockerfile sets with ENV. */
    private static Set<String> dockerfileEnvironment() throws IOException {
        Matcher env = Pattern.compile("(?m)^ENV ((?:.*\\\\\\n)*.*)$").matcher(dockerfile());
        Set<String> names = new LinkedHashSet<>();
        while (env.find()) {
            Matcher name = Pattern.compile("([A-Z][A-Z0-9_]*)=").matcher(env.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    /** The path the image's HEALTHCHECK requests. */
    private static String dockerfileHealthcheckPath() throws IOException {
        Matcher path = Pattern.compile("(?s)HEALTHCHECK .*?http://127\\.0\\.0\\.1:\\$\\{HEALTH_PORT}(/[^\"\\s]*)")
                .matcher(dockerfile());
        assertThat(path.find())
                .as("the Dockerfile's HEALTHCHECK requests the health server")
                .isTrue();
        return path.group(1);
    }

    private static Map<String, String> strings(Map<String, Object> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((name, value) -> out.put(name, String.valueOf(value)));
        return out;
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
