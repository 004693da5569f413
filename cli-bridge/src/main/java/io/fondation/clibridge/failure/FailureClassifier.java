package io.fondation.clibridge.failure;

import io.fondation.clibridge.claude.ClaudeRunSummary;
import io.fondation.clibridge.process.ProcessOutcome;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether an analyzer run failed and how: from the exit code or signal, the output tails
 * and the Claude Code result. The stored message is a short summary plus the last stderr lines,
 * redacted and at most 4 KiB.
 *
 * <table>
 *   <caption>Classes</caption>
 *   <tr><td>canceled</td><td>CANCELED</td></tr>
 *   <tr><td>timed out</td><td>TIMEOUT (retryable)</td></tr>
 *   <tr><td>invalid key, expired OAuth token, "please run /login", 401/403</td><td>AUTHENTICATION (not retryable)</td></tr>
 *   <tr><td>429, 529, rate limit, overloaded, usage limit</td><td>RATE_LIMITED, retried after a longer delay</td></tr>
 *   <tr><td>exit 126/127, module not found</td><td>CONFIGURATION</td></tr>
 *   <tr><td>prompt too long</td><td>INVALID_INPUT</td></tr>
 *   <tr><td>5xx, connection errors, killed by a signal</td><td>TRANSIENT</td></tr>
 *   <tr><td>any other non-zero exit, or exit 0 without documents</td><td>ANALYZER_FAILED</td></tr>
 * </table>
 */
public final class FailureClassifier {

    /** The least delay before retrying after a rate limit or overload. */
    public static final Duration DEFAULT_RATE_LIMIT_DELAY = Duration.ofMinutes(2);
    /** A usage-limit reset further away than this is capped to it. */
    static final Duration MAX_RATE_LIMIT_DELAY = Duration.ofHours(6);

    private static final int STDOUT_LINES_SCANNED = 40;

    private static final List<Pattern> AUTH = patterns(
            "invalid api key",
            "invalid x-api-key",
            "authentication_error",
            "authentication_failed",
            "oauth token has expired",
            "token has expired",
            "oauth token (?:was )?revoked",
            "please run /login",
            "run /login",
            "not logged in",
            "invalid bearer token",
            "api error:?\\s*40[13]\\b",
            "\"?(?:error_)?status\"?\\s*[:=]\\s*40[13]\\b",
            "\\b401 unauthorized",
            "\\bunauthorized\\b.*\\b401\\b",
            "could not resolve authentication method",
            "missing api key",
            "no api key",
            "credit balance is too low",
            "permission_error",
            "oauth authentication is currently not supported");
    private static final List<Pattern> RATE_LIMIT = patterns(
            "rate[_ ]limit",
            "\\boverloaded",
            "too many requests",
            "usage limit reached",
            "api error:?\\s*(?:request rejected\\s*)?\\(?(?:429|529)\\b",
            "\\((?:429|529)\\)",
            "\"?(?:error_)?status\"?\\s*[:=]\\s*(?:429|529)\\b",
            "\\b(?:429|529) (?:too many|overloaded)");
    private static final List<Pattern> CONFIGURATION = patterns(
            "cannot find module",
            "module_not_found",
            "error: module not found",
            "command not found",
            "no such file or directory.*(?:cli|node|bun)",
            "(?:node|bun): not found",
            "permission denied.*(?:cli|\\.mjs|\\.js)");
    private static final List<Pattern> PROMPT_TOO_LONG = patterns("prompt is too long", "prompt_too_long");
    private static final List<Pattern> TRANSIENT = patterns(
            "api error:?\\s*5\\d\\d\\b",
            "internal server error",
            "econnrefused",
            "econnreset",
            "etimedout",
            "enotfound",
            "eai_again",
            "socket hang up",
            "request timed out",
            "fetch failed",
            "network error",
            "connection error",
            "service unavailable",
            "bad gateway");
    private static final String AUTH_ADVICE = "Operator action needed: renew CLAUDE_CODE_OAUTH_TOKEN "
            + "(claude setup-token), log in again (/login) for the mounted Claude credentials, or fix "
            + "ANTHROPIC_API_KEY. This is the worker's fault, not the job's: its jobs go back to the queue without"
            + " spending an attempt, and it stops claiming until the credential works again.";
    private static final Pattern USAGE_RESET = Pattern.compile("(?i)usage limit reached\\|(\\d{10})");

    private final Duration rateLimitDelay;
    private final Clock clock;

    /** Rate limits are retried after at least {@link #DEFAULT_RATE_LIMIT_DELAY}. */
    public FailureClassifier() {
        this(DEFAULT_RATE_LIMIT_DELAY, Clock.systemUTC());
    }

    /**
     * @param rateLimitDelay the least delay before retrying after a rate limit or overload
     * @param clock used to turn a usage-limit reset time into a delay
     */
    public FailureClassifier(Duration rateLimitDelay, Clock clock) {
        if (rateLimitDelay == null || rateLimitDelay.isNegative()) {
            throw new IllegalArgumentException("rateLimitDelay must not be negative");
        }
        this.rateLimitDelay = rateLimitDelay;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Classifies one run; empty means success.
     *
     * @param outcome how the process ended
     * @param documentCount how many documents were collected (0 with exit 0 is a failure)
     * @param claude the parsed stream-json result, if the analyzer was Claude Code
     */
    public Optional<JobFailure> classify(ProcessOutcome outcome, int documentCount, Optional<ClaudeRunSummary> claude) {
        return classify(outcome, documentCount, claude, null);
    }

    /**
     * Classifies one run; empty means success.
     *
     * @param timeLimit the run's configured time limit, named in the message of a timeout (or {@code null})
     */
    public Optional<JobFailure> classify(
            ProcessOutcome outcome, int documentCount, Optional<ClaudeRunSummary> claude, Duration timeLimit) {
        Objects.requireNonNull(outcome, "outcome");
        Optional<ClaudeRunSummary> summary = claude == null ? Optional.empty() : claude;
        String tailLabel = "last stderr lines";
        String tail = outcome.stderrTail();
        if (tail.isBlank() && summary.isPresent() && summary.get().resultText() != null) {
            tailLabel = "Claude Code result";
            tail = summary.get().resultText();
        } else if (tail.isBlank()) {
            tailLabel = "last stdout lines";
            tail = lastLines(outcome.stdoutTail(), STDOUT_LINES_SCANNED);
        }
        if (outcome.canceled()) {
            return Optional.of(failure(
                    FailureKind.CANCELED,
                    "analysis canceled after " + human(outcome.duration()) + " (" + outcome.describe() + ")",
                    Duration.ZERO,
                    null,
                    null));
        }
        if (outcome.timedOut()) {
            String authLine = firstMatch(AUTH, evidence(outcome, summary));
            if (authLine != null) {
                // why: retrying would burn another full timeout on credentials that cannot work.
                return Optional.of(failure(
                        FailureKind.AUTHENTICATION,
                        "analyzer timed out after " + human(outcome.duration()) + " while failing to authenticate"
                                + quote(authLine) + ". " + AUTH_ADVICE,
                        Duration.ZERO,
                        tailLabel,
                        tail));
            }
            String limit = timeLimit == null ? "its time limit" : "its time limit of " + human(timeLimit);
            return Optional.of(failure(
                    FailureKind.TIMEOUT,
                    "analyzer ran past " + limit + "; its process tree was terminated (" + outcome.describe()
                            + ") after " + human(outcome.duration()),
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        boolean claudeFailed = summary.map(ClaudeRunSummary::failed).orElse(false);
        if (outcome.succeeded() && !claudeFailed) {
            if (documentCount > 0) {
                return Optional.empty();
            }
            return Optional.of(failure(
                    FailureKind.ANALYZER_FAILED,
                    "analyzer exited 0 but produced no documents",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        String evidence = evidence(outcome, summary);
        String what =
                outcome.succeeded() ? "Claude Code reported an error" : "analyzer failed with " + outcome.describe();
        Integer status = summary.map(ClaudeRunSummary::apiErrorStatus).orElse(null);

        String line = firstMatch(AUTH, evidence);
        if (line != null || status != null && (status == 401 || status == 403)) {
            return Optional.of(failure(
                    FailureKind.AUTHENTICATION,
                    "Claude authentication failed" + quote(line) + ". " + AUTH_ADVICE,
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        line = firstMatch(RATE_LIMIT, evidence);
        if (line != null || status != null && (status == 429 || status == 529)) {
            Duration delay = usageResetDelay(evidence).orElse(rateLimitDelay);
            return Optional.of(failure(
                    FailureKind.RATE_LIMITED,
                    "Claude API rate limit or overload" + quote(line) + "; retrying in " + human(delay)
                            + " at the earliest",
                    delay,
                    tailLabel,
                    tail));
        }
        line = firstMatch(PROMPT_TOO_LONG, evidence);
        if (line != null
                || summary.map(s -> "prompt_too_long".equals(s.terminalReason()))
                        .orElse(false)) {
            return Optional.of(failure(
                    FailureKind.INVALID_INPUT,
                    "the repository does not fit in the model's context (prompt too long)",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        if (!outcome.succeeded() && (outcome.exitCode() == 126 || outcome.exitCode() == 127)) {
            return Optional.of(failure(
                    FailureKind.CONFIGURATION,
                    "analyzer could not be run (" + outcome.describe()
                            + ": " + (outcome.exitCode() == 127 ? "command not found" : "not executable")
                            + "); check CLI_PATH and the runtime",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        line = firstMatch(CONFIGURATION, evidence);
        if (line != null) {
            return Optional.of(failure(
                    FailureKind.CONFIGURATION,
                    "analyzer is misconfigured" + quote(line) + "; check CLI_PATH, NODE_PATH and the runtime",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        line = firstMatch(TRANSIENT, evidence);
        if (line != null || status != null && status >= 500) {
            return Optional.of(failure(
                    FailureKind.TRANSIENT,
                    what + ": temporary API or network error" + quote(line),
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        if (outcome.signal() != null) {
            return Optional.of(failure(
                    FailureKind.TRANSIENT,
                    "analyzer was " + outcome.describe() + " by someone else (out of memory?)",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        if (claudeFailed) {
            ClaudeRunSummary s = summary.get();
            return Optional.of(failure(
                    FailureKind.ANALYZER_FAILED,
                    what + " (subtype " + s.subtype()
                            + (s.terminalReason() != null ? ", terminal reason " + s.terminalReason() : "") + ")",
                    Duration.ZERO,
                    tailLabel,
                    tail));
        }
        return Optional.of(failure(FailureKind.ANALYZER_FAILED, what, Duration.ZERO, tailLabel, tail));
    }

    /** The text searched for known errors: the Claude result, stderr and the end of stdout. */
    private static String evidence(ProcessOutcome outcome, Optional<ClaudeRunSummary> summary) {
        List<String> parts = new ArrayList<>();
        summary.map(ClaudeRunSummary::resultText).ifPresent(parts::add);
        parts.add(outcome.stderrTail());
        if (summary.isEmpty()) {
            // why: with Claude Code, stdout carries the model's own text (which may well talk about
            // "rate limits" in the analysed code); only its result event is trusted then.
            parts.add(lastLines(outcome.stdoutTail(), STDOUT_LINES_SCANNED));
        }
        return String.join("\n", parts);
    }

    private Optional<Duration> usageResetDelay(String evidence) {
        Matcher m = USAGE_RESET.matcher(evidence);
        if (!m.find()) {
            return Optional.empty();
        }
        Duration untilReset = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(m.group(1))));
        if (untilReset.compareTo(rateLimitDelay) < 0) {
            return Optional.of(rateLimitDelay);
        }
        return Optional.of(untilReset.compareTo(MAX_RATE_LIMIT_DELAY) > 0 ? MAX_RATE_LIMIT_DELAY : untilReset);
    }

    private static JobFailure failure(FailureKind kind, String summary, Duration delay, String label, String tail) {
        return new JobFailure(kind, FailureMessage.compose(summary, label, tail), delay);
    }

    private static String firstMatch(List<Pattern> patterns, String text) {
        for (String line : text.split("\r?\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            for (Pattern p : patterns) {
                if (p.matcher(lower).find()) {
                    return line.strip();
                }
            }
        }
        return null;
    }

    private static String quote(String line) {
        if (line == null || line.isBlank()) {
            return "";
        }
        String clean = SecretRedactor.redact(line);
        if (clean.length() > 300) {
            clean = clean.substring(0, 299) + "…";
        }
        return " (" + clean + ")";
    }

    private static String lastLines(String text, int count) {
        String[] lines = text.split("\r?\n");
        int from = Math.max(0, lines.length - count);
        return String.join("\n", Arrays.asList(lines).subList(from, lines.length));
    }

    private static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return d.toMillis() + " ms";
        }
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return (seconds / 60) + " min";
        }
        return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
    }

    private static List<Pattern> patterns(String... regexes) {
        List<Pattern> out = new ArrayList<>();
        for (String r : regexes) {
            out.add(Pattern.compile(r));
        }
        return List.copyOf(out);
    }
}
