package io.fondation.clibridge.failure;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An LLM API limit an analyzer run met, told apart from its other failures so that a worker can pause every claim
 * made with the same credential instead of spending the job's attempts on it (issue 22).
 *
 * @param kind a rate limit (429, a usage limit) or an overload (529)
 * @param retryAfter how long the API asked to wait, when it said so (see {@link FailureClassifier} for where it is
 *     read); empty when only a default delay applies
 * @param evidence what showed it, redacted and short: the message or event it was read from, for logs
 */
public record LlmLimit(Kind kind, Optional<Duration> retryAfter, String evidence) {

    /** What the API refused with. */
    public enum Kind {
        /** HTTP 429, "rate limit", a usage limit. */
        RATE_LIMIT("rate_limit"),
        /** HTTP 529, "overloaded". */
        OVERLOADED("overloaded");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The name the queue functions use ({@code queue:recordPause}'s {@code kind}). */
        public String wireName() {
            return wireName;
        }
    }

    public LlmLimit {
        Objects.requireNonNull(kind, "kind");
        retryAfter = retryAfter == null ? Optional.empty() : retryAfter.filter(d -> !d.isNegative());
        evidence = evidence == null ? "" : evidence;
    }
}
