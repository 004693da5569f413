package io.fondation.shared;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which of issue 22's rules a queue keeps ({@link JobQueue#fleetSupport()}), and why not the others: the worker says it
 * at start-up and keeps today's behaviour for what is missing (oldest-due-first claims, a per-job backoff on a rate
 * limit, a cap per attempt only).
 *
 * @param features what the queue keeps
 * @param reason why the others are missing, for the log; empty when every feature is kept
 */
public record FleetSupport(Set<Feature> features, String reason) {

    /** One rule of issue 22. */
    public enum Feature {
        /**
         * Claims take turns between users (the user whose last claim is oldest first), skip users at the queue's
         * {@code MAX_RUNNING_PER_USER}, and order a user's own jobs by priority; {@link JobSpec#user()} and {@link
         * JobSpec#priority()} are kept.
         */
        FAIR_CLAIMS,
        /** {@link JobQueue#recordPause} and the other pause calls, and claims that honour pauses. */
        LLM_PAUSES,
        /** Attempt costs add up per job and {@link JobSpec#maxCostUsd()} caps their sum. */
        COST_BUDGETS
    }

    /** A queue that keeps every rule. */
    public static final FleetSupport ALL = new FleetSupport(EnumSet.allOf(Feature.class), "");

    public FleetSupport {
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        Objects.requireNonNull(reason, "reason");
        if (features.size() < Feature.values().length && reason.isBlank()) {
            throw new IllegalArgumentException(
                    "a queue that lacks some of " + EnumSet.allOf(Feature.class) + " must say why");
        }
    }

    /** A queue that keeps none of the rules, and why. */
    public static FleetSupport none(String reason) {
        return new FleetSupport(Set.of(), reason);
    }

    /** Whether the queue keeps {@code feature}. */
    public boolean supports(Feature feature) {
        return features.contains(feature);
    }
}
