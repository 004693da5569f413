package io.fondation.shared;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * What a queue that claims fairly and keeps budgets says about a claimed job ({@link ClaimedJob#terms()}, issue 22).
 *
 * @param userKey whose turn the job was claimed in ({@code anonymous} for jobs without a user)
 * @param priority the job's priority within its user's jobs (higher first; 0 by default)
 * @param costUsd what the job's earlier attempts cost in all
 * @param budgetUsd what is left of the job's cap ({@link JobSpec#maxCostUsd()}, else the claim's {@link
 *     ClaimRequest#defaultMaxCostUsd()}) for this attempt: the worker gives it to the analyzer as its own cap
 *     ({@code --max-budget-usd}); {@code null} when the job has no cap
 * @param probe whether this claim is the probe of the claim's credential: the one claim let through once the
 *     credential's pause ended ({@link LlmPause}). The worker ends that pause after a successful analysis only then
 *     ({@link JobQueue#clearPause}), without reading it first; false from a queue that keeps no pauses, and for a
 *     claim that named no credential. Convex functions that keep pauses but predate claims that say so cannot tell:
 *     their client sets it on every claim naming a credential, so that a success clears a spent pause as before
 *     ({@code clearPause} keeps a pause in force)
 */
public record ClaimTerms(String userKey, int priority, BigDecimal costUsd, BigDecimal budgetUsd, boolean probe) {

    public ClaimTerms {
        Objects.requireNonNull(userKey, "userKey");
        costUsd = costUsd == null ? BigDecimal.ZERO.setScale(UsdAmounts.SCALE) : UsdAmounts.require("costUsd", costUsd);
        budgetUsd = UsdAmounts.require("budgetUsd", budgetUsd);
    }

    /** The terms of a claim that is not the probe. */
    public ClaimTerms(String userKey, int priority, BigDecimal costUsd, BigDecimal budgetUsd) {
        this(userKey, priority, costUsd, budgetUsd, false);
    }

    /** What is left for this attempt, when the job has a cap. */
    public Optional<BigDecimal> budget() {
        return Optional.ofNullable(budgetUsd);
    }

    /** The job's cap in force for this attempt (cost so far plus what is left), when it has one. */
    public Optional<BigDecimal> maxCostUsd() {
        return budget().map(costUsd::add);
    }
}
