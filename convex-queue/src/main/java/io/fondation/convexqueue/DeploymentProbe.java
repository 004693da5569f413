package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexException;
import io.fondation.convexqueue.client.ConvexFunctionException;
import io.fondation.convexqueue.client.ConvexRequestException;
import io.fondation.convexqueue.client.ConvexTransportException;
import io.fondation.shared.ConfigurationException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds out at start-up which Fondation queue functions a deployment has, and turns every way of
 * not reaching it into a {@link ConfigurationException} naming the setting to fix.
 */
final class DeploymentProbe {

    /**
     * The API version of the hardened functions this client speaks: 3, whose {@code attempts} counts the attempts
     * started (the claim counts the attempt it hands out).
     */
    static final int REQUIRED_VERSION = 3;

    private DeploymentProbe() {}

    /**
     * @throws ConfigurationException naming {@code CONVEX_URL}, {@code CONVEX_DEPLOY_KEY} or
     *     {@code FONDATION_WORKER_SECRET}
     */
    static Deployment detect(ConvexClient client, ConvexQueueSettings settings) {
        String url = client.deploymentUrl().toString();
        QueueMode mode;
        DocumentBatches.Limits limits = DocumentBatches.Limits.DEFAULT;
        Set<String> features = Set.of();
        try {
            JsonNode capabilities = client.query("queue:capabilities", Map.of());
            if (!"fondation-queue".equals(JobRows.text(capabilities, "api"))) {
                throw new ConfigurationException(
                        ConvexQueueSettings.CONVEX_URL,
                        "queue:capabilities of the deployment at " + url
                                + " does not describe the Fondation queue (api=" + JobRows.text(capabilities, "api")
                                + ")");
            }
            int version = JobRows.integer(capabilities, "version", 0);
            if (version < REQUIRED_VERSION) {
                throw new ConfigurationException(
                        ConvexQueueSettings.CONVEX_URL,
                        "the deployment at " + url
                                + " has Fondation queue functions of version " + version
                                + "; this worker needs version "
                                + REQUIRED_VERSION + " (deploy convex-queue/convex)");
            }
            mode = QueueMode.HARDENED;
            features = features(capabilities);
            try {
                limits = DocumentBatches.Limits.fromCapabilities(capabilities);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(
                        ConvexQueueSettings.CONVEX_URL,
                        "queue:capabilities of the deployment at " + url + " advertises " + e.getMessage());
            }
        } catch (ConvexFunctionException e) {
            mode = probeLegacy(client, url);
        } catch (ConvexException e) {
            throw unreachable(e, url);
        }
        if (mode == QueueMode.HARDENED) {
            checkWorkerSecret(client, settings, url);
        }
        return new Deployment(mode, limits, features);
    }

    /** The {@code features} that {@code queue:capabilities} lists. */
    private static Set<String> features(JsonNode capabilities) {
        Set<String> features = new LinkedHashSet<>();
        capabilities.path("features").forEach(feature -> features.add(feature.asText()));
        return Set.copyOf(features);
    }

    /**
     * What a deployment has.
     *
     * @param mode which generation of the functions
     * @param limits what it stores per document and per call
     * @param features what {@code queue:capabilities} lists (empty for the legacy functions), e.g.
     *     {@value #CHECKPOINTS_FEATURE}
     */
    record Deployment(QueueMode mode, DocumentBatches.Limits limits, Set<String> features) {}

    /** The feature of hardened functions that keep checkpoints ({@code convex/checkpoints.ts}). */
    static final String CHECKPOINTS_FEATURE = "checkpoints";

    /** The feature of hardened functions that count the queue's depth ({@code queue:depth}, the route /queue/depth). */
    static final String DEPTH_FEATURE = "depth";
    /** The feature of hardened functions whose claims take turns between users ({@code convex/lib/fairness.ts}). */
    static final String FAIR_CLAIMS_FEATURE = "fair-claims";

    /** The feature of hardened functions that keep one pause per LLM credential ({@code convex/lib/pauses.ts}). */
    static final String LLM_PAUSES_FEATURE = "llm-pauses";

    /**
     * The feature of hardened functions whose {@code queue:claimOne} takes {@code answerPause} (an empty claim answers
     * the pause that held it back) and answers {@code probe} (whether the claim is the probe).
     */
    static final String CLAIM_ANSWERS_PAUSE_FEATURE = "claim-answers-pause";

    /** The feature of hardened functions that add up attempt costs and cap their sum ({@code convex/lib/costs.ts}). */
    static final String COST_BUDGETS_FEATURE = "cost-budgets";

    private static QueueMode probeLegacy(ConvexClient client, String url) {
        try {
            client.query("queue:getMetrics", Map.of());
            return QueueMode.LEGACY;
        } catch (ConvexFunctionException e) {
            if (!e.isUnknownFunction()) {
                // It exists but failed (or is not a query): the legacy module is there.
                return QueueMode.LEGACY;
            }
            throw new ConfigurationException(
                    ConvexQueueSettings.CONVEX_URL,
                    "deployment at " + url
                            + " has no Fondation queue functions (neither queue:capabilities nor queue:getMetrics);"
                            + " is it the right deployment? Deploy convex-queue/convex to it");
        } catch (ConvexException e) {
            throw unreachable(e, url);
        }
    }

    private static void checkWorkerSecret(ConvexClient client, ConvexQueueSettings settings, String url) {
        if (settings.workerSecret() == null) {
            throw new ConfigurationException(
                    ConvexQueueSettings.FONDATION_WORKER_SECRET,
                    "is required: the queue"
                            + " functions at " + url + " accept only workers that pass the deployment's worker secret"
                            + " (npx convex env get FONDATION_WORKER_SECRET)");
        }
        try {
            client.query(
                    "queue:listJobs",
                    Args.of()
                            .put("limit", 1.0)
                            .put("workerSecret", settings.workerSecret())
                            .map());
        } catch (ConvexFunctionException e) {
            if ("UNAUTHORIZED".equals(e.errorCode().orElse(""))) {
                throw new ConfigurationException(
                        ConvexQueueSettings.FONDATION_WORKER_SECRET,
                        "refused by the deployment at " + url + ": " + e.reason());
            }
            throw new ConfigurationException(
                    ConvexQueueSettings.CONVEX_URL,
                    "queue:listJobs failed at " + url + " while checking the worker secret: " + e.errorMessage());
        } catch (ConvexException e) {
            throw unreachable(e, url);
        }
    }

    private static ConfigurationException unreachable(ConvexException e, String url) {
        if (e instanceof ConvexRequestException request && request.isAuthenticationFailure()) {
            return new ConfigurationException(
                    ConvexQueueSettings.CONVEX_DEPLOY_KEY,
                    "the deployment at " + url + " refused the deploy key (HTTP " + request.httpStatus() + " "
                            + request.code() + ")");
        }
        if (e instanceof ConvexRequestException request) {
            return new ConfigurationException(
                    ConvexQueueSettings.CONVEX_URL,
                    url + " does not answer like a Convex" + " deployment (HTTP " + request.httpStatus() + " "
                            + request.code() + ")");
        }
        if (e instanceof ConvexTransportException) {
            return new ConfigurationException(
                    ConvexQueueSettings.CONVEX_URL,
                    "cannot reach the Convex deployment at " + url + ": " + e.getMessage());
        }
        return new ConfigurationException(
                ConvexQueueSettings.CONVEX_URL, "the deployment at " + url + " failed: " + e.getMessage());
    }
}
