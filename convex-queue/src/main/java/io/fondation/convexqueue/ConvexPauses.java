package io.fondation.convexqueue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.Idempotence;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueueException;
import io.fondation.shared.LlmLimitKind;
import io.fondation.shared.LlmPause;
import io.fondation.shared.RateLimitedRelease;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pause calls of the hardened functions (feature {@value DeploymentProbe#LLM_PAUSES_FEATURE} of {@code
 * queue:capabilities}, {@code convex/queue.ts} and {@code convex/lib/pauses.ts}): {@code queue:recordPause}, {@code
 * queue:clearPause}, {@code queue:getPause}, {@code queue:listPauses} and {@code queue:releaseRateLimited}, with
 * exactly their argument names. Every call carries the worker secret; only a credential's fingerprint is ever sent.
 */
final class ConvexPauses {

    private final ConvexClient client;
    private final String workerSecret;
    private final Clock clock;

    ConvexPauses(ConvexClient client, String workerSecret, Clock clock) {
        this.client = client;
        this.workerSecret = workerSecret;
        this.clock = clock;
    }

    LlmPause record(String workerId, String credential, LlmLimitKind kind, Duration retryAfter) {
        Args args = Args.of()
                .put("credential", credential)
                .put("kind", kind.wireName())
                .millis("retryAfterMs", retryAfter)
                .put("workerId", workerId);
        // why IDEMPOTENT: a repeat after a lost response meets the pause it recorded, which adds no strike.
        return pause(client.mutation("queue:recordPause", withSecret(args), Idempotence.IDEMPOTENT), "recordPause");
    }

    boolean clear(String workerId, String credential) {
        Args args = Args.of().put("credential", credential).put("workerId", workerId);
        JsonNode answer = client.mutation("queue:clearPause", withSecret(args), Idempotence.IDEMPOTENT);
        return JobRows.bool(answer, "cleared");
    }

    Optional<LlmPause> get(String credential) {
        JsonNode answer = client.query("queue:getPause", withSecret(Args.of().put("credential", credential)));
        return answer == null || answer.isNull() ? Optional.empty() : Optional.of(pause(answer, "getPause"));
    }

    /** The pauses that hold at the clock's now. */
    List<LlmPause> inForce() {
        Instant now = clock.instant();
        // why the filter too: listPauses keeps resumesAt >= since, and a pause that resumes now no longer holds.
        return list(now).stream().filter(pause -> pause.holdsAt(now)).toList();
    }

    /** The pauses whose claims resume at {@code since} or later ({@code queue:listPauses} reads no clock). */
    List<LlmPause> list(Instant since) {
        JsonNode rows = client.query("queue:listPauses", withSecret(Args.of().epochMillis("since", since)));
        List<LlmPause> pauses = new ArrayList<>();
        if (rows != null && rows.isArray()) {
            for (JsonNode row : rows) {
                pauses.add(pause(row, "listPauses"));
            }
        }
        return pauses;
    }

    RateLimitedRelease releaseRateLimited(
            JobLease lease,
            String credential,
            LlmLimitKind kind,
            Duration retryAfter,
            String error,
            BigDecimal attemptCostUsd) {
        Args args = Args.of()
                .put("jobId", lease.jobId())
                .put("workerId", lease.workerId())
                .put("leaseToken", lease.token())
                .put("credential", credential)
                .put("kind", kind.wireName())
                .millis("retryAfterMs", retryAfter)
                .put("error", error)
                .put("costUsd", JobRows.usdArg(attemptCostUsd));
        // Fenced by the lease token: a repeat finds the lease gone (not_held) and meets the pause it recorded.
        JsonNode answer = client.mutation("queue:releaseRateLimited", withSecret(args), Idempotence.IDEMPOTENT);
        String outcome = JobRows.text(answer, "outcome");
        RateLimitedRelease.Outcome decoded;
        if (outcome == null) {
            throw new JobQueueException("queue:releaseRateLimited answered without an outcome", false);
        }
        switch (outcome) {
            case "released" -> decoded = RateLimitedRelease.Outcome.RELEASED;
            case "retrying" -> decoded = RateLimitedRelease.Outcome.RETRYING;
            case "dead" -> decoded = RateLimitedRelease.Outcome.DEAD;
            case "not_held" -> decoded = RateLimitedRelease.Outcome.NOT_HELD;
            default ->
                throw new JobQueueException(
                        "queue:releaseRateLimited answered an unknown outcome '" + outcome + "'", false);
        }
        JsonNode pause = answer.get("pause");
        if (pause == null || !pause.isObject()) {
            throw new JobQueueException("queue:releaseRateLimited answered without a pause", false);
        }
        return new RateLimitedRelease(
                pause(pause, "releaseRateLimited"),
                decoded,
                JobRows.integer(answer, "attempts", 0),
                JobRows.integer(answer, "rateLimitedReleases", 0),
                JobRows.instant(answer, "nextRunAt"));
    }

    /** A pause as {@code pauseView} (convex/lib/pauses.ts) returns it. */
    static LlmPause pause(JsonNode row, String function) {
        String credential = JobRows.text(row, "credential");
        String kind = JobRows.text(row, "kind");
        Instant until = JobRows.instant(row, "until");
        Instant resumesAt = JobRows.instant(row, "resumesAt");
        if (credential == null || kind == null || until == null || resumesAt == null) {
            throw new JobQueueException(
                    "queue:" + function + " answered a pause without its credential, kind, until" + " or resumesAt",
                    false);
        }
        Integer retryAfterMs = JobRows.integer(row, "retryAfterMs");
        return new LlmPause(
                credential,
                LlmLimitKind.fromWire(kind),
                until,
                resumesAt,
                JobRows.integer(row, "strikes", 1),
                JobRows.instant(row, "since"),
                retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                JobRows.instant(row, "probeUntil"),
                JobRows.text(row, "probeBy"),
                JobRows.text(row, "recordedBy"),
                JobRows.instant(row, "updatedAt"));
    }

    private java.util.Map<String, Object> withSecret(Args args) {
        return args.put("workerSecret", workerSecret).map();
    }
}
