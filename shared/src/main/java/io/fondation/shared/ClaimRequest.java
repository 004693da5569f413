package io.fondation.shared;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a worker asks {@link JobQueue#claimOne(ClaimRequest)} for (issue 22).
 *
 * @param workerId who claims; checked by {@link QueueArguments#requireWorkerId}
 * @param lease how long the lease lasts; checked by {@link QueueArguments#requireLease}
 * @param credential the fingerprint of the LLM credential the worker runs analyses with (never the credential
 *     itself: {@code <algorithm>:<16 to 64 lowercase hex digits>}, as cli-bridge's {@code CredentialFingerprint}
 *     makes it), or {@code null}: the claim then ignores every pause
 * @param defaultMaxCostUsd the worker's cap on the sum of a job's attempts ({@code JOB_MAX_COST_USD}) for a job
 *     without its own {@link JobSpec#maxCostUsd()}, or {@code null} for none
 */
public record ClaimRequest(String workerId, Duration lease, String credential, BigDecimal defaultMaxCostUsd) {

    /**
     * A credential fingerprint: the same rule as the Convex functions' {@code requireFingerprint}, so that a secret
     * passed by mistake is refused before it leaves the worker.
     */
    private static final Pattern FINGERPRINT = Pattern.compile("[a-z0-9]{2,16}:[0-9a-f]{16,64}");

    public ClaimRequest {
        QueueArguments.requireWorkerId(workerId);
        QueueArguments.requireLease(lease);
        requireFingerprint(credential);
        defaultMaxCostUsd = UsdAmounts.require("defaultMaxCostUsd", defaultMaxCostUsd);
    }

    /** The claim of today's worker: no credential, no default cap. */
    public static ClaimRequest of(String workerId, Duration lease) {
        return new ClaimRequest(workerId, lease, null, null);
    }

    /** The same claim naming the worker's LLM credential fingerprint. */
    public ClaimRequest withCredential(String fingerprint) {
        return new ClaimRequest(workerId, lease, fingerprint, defaultMaxCostUsd);
    }

    /** The same claim with the worker's default cap for jobs without their own. */
    public ClaimRequest withDefaultMaxCostUsd(BigDecimal usd) {
        return new ClaimRequest(workerId, lease, credential, usd);
    }

    /** The credential fingerprint, when the claim names one. */
    public Optional<String> credentialFingerprint() {
        return Optional.ofNullable(credential);
    }

    /**
     * Checks a credential fingerprint ({@code null} passes).
     *
     * @throws IllegalArgumentException when it is not {@code <algorithm>:<hex>}; the message never repeats the value
     *     (it might be the secret itself)
     */
    public static String requireFingerprint(String credential) {
        if (credential != null && !FINGERPRINT.matcher(credential).matches()) {
            throw new IllegalArgumentException("a credential must be a fingerprint such as sha256:<16 to 64 lowercase"
                    + " hex digits>, never the credential itself");
        }
        return credential;
    }
}
