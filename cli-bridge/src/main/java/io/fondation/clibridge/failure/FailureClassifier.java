package io.fondation.clibridge.failure;

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
 * and the agent's own result (Claude Code's {@code result} event). The stored message is a short
 * summary plus the last stderr lines (or the agent's result text), redacted and at most 4 KiB.
 *
 * <table>
 *   <caption>Classes</caption>
 *   <tr><td>canceled</td><td>CANCELED</td></tr>
 *   <tr><td>timed out</td><td>TIMEOUT (retryable)</td></tr>
 *   <tr><td>invalid key, expired OAuth token, "please run /login", 401/403</td><td>AUTHENTICATION (a worker
 *       fault: an operator must renew the credential)</td></tr>
 *   <tr><td>429, rate limit, usage limit</td><td>RATE_LIMITED, at least {@link #DEFAULT_RATE_LIMIT_DELAY} (or
 *       until the usage limit resets, or the API's retry-after when longer), and an {@link LlmLimit}</td></tr>
 *   <tr><td>529, overloaded</td><td>RATE_LIMITED, at least {@link #DEFAULT_OVERLOAD_DELAY} (or the API's
 *       retry-after when longer), and an {@link LlmLimit}</td></tr>
 *   <tr><td>exit 126/127, module not found, a model that does not exist</td><td>CONFIGURATION</td></tr>
 *   <tr><td>a failed run that read back "read-only file system" (EROFS): the sandbox refused a write outside the
 *       output directory</td><td>INVALID_INPUT (not retried: the repository may be steering the analyzer)</td></tr>
 *   <tr><td>prompt too long, turn limit or cost limit reached</td><td>INVALID_INPUT (the job is too big)</td></tr>
 *   <tr><td>5xx, API unreachable or timed out, a broken response</td><td>TRANSIENT, at least
 *       {@link #DEFAULT_API_UNAVAILABLE_DELAY}</td></tr>
 *   <tr><td>killed by a signal</td><td>TRANSIENT</td></tr>
 *   <tr><td>any other non-zero exit, or exit 0 without documents</td><td>ANALYZER_FAILED</td></tr>
 * </table>
 *
 * <p>Writes outside the output directory are judged by {@link #writesOutside(List, int)}.
 *
 * <p>A rate limit or an overload is also told as an {@link LlmLimit} ({@link #classifyRun}), with the wait the API
 * asked for when it can be read: a usage limit's reset time ({@code usage limit reached|<epoch seconds>}); a wait
 * named in the error text ({@code retry-after: 20}, {@code try again in 5 minutes}); or Claude Code's last
 * {@code api_retry} event for that limit, whose {@code retry_delay_ms} is the API's retry-after plus up to 25 % when
 * the API sent one and the CLI's own backoff otherwise ({@code 500 ms × 2^(attempt-1)} plus up to 25 %, as
 * observed with Claude Code 2.1.332): a delay above that backoff is read as the API's wait. The Fondation CLI says
 * nothing of its own about limits (the reference names only {@code Analysis failed}); what its stderr carries is read
 * the same way.
 */
public final class FailureClassifier {

    /** The least delay before retrying after a rate limit (429). */
    public static final Duration DEFAULT_RATE_LIMIT_DELAY = Duration.ofMinutes(2);
    /** The least delay before retrying after the API said it is overloaded (529). */
    public static final Duration DEFAULT_OVERLOAD_DELAY = Duration.ofMinutes(1);
    /** The least delay before retrying after a 5xx, an unreachable API or an API timeout. */
    public static final Duration DEFAULT_API_UNAVAILABLE_DELAY = Duration.ofSeconds(30);
    /** A usage-limit reset (or a retry-after) further away than this is capped to it. */
    static final Duration MAX_RATE_LIMIT_DELAY = Duration.ofHours(6);

    /** Claude Code's own first retry delay when the API names none (it doubles per attempt, plus up to 25 %). */
    static final long CLI_BACKOFF_BASE_MS = 500;

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
    private static final List<Pattern> OVERLOADED = patterns(
            "\\boverloaded",
            "api error:?\\s*(?:repeated\\s*)?529\\b",
            "\\(529\\)",
            "\"?(?:error_)?status\"?\\s*[:=]\\s*529\\b");
    private static final List<Pattern> RATE_LIMIT = patterns(
            "rate[_ ]limit",
            "too many requests",
            "usage limit reached",
            "api error:?\\s*(?:request rejected\\s*)?\\(?429\\b",
            "\\(429\\)",
            "\"?(?:error_)?status\"?\\s*[:=]\\s*429\\b",
            "\\b429 too many");
    private static final List<Pattern> CONFIGURATION = patterns(
            "cannot find module",
            "module_not_found",
            "error: module not found",
            "command not found",
            "no such file or directory.*(?:cli|node|bun)",
            "(?:node|bun): not found",
            // bwrap and setpriv report a command they cannot run this way.
            "(?:bwrap|setpriv): (?:execvp|failed to execute)",
            "permission denied.*(?:cli|\\.mjs|\\.js)");
    // why: what a sandboxed analyzer reads back when it writes outside its output and state directories (Node.js's
    // "EROFS: read-only file system, open '...'", a shell's "Read-only file system").
    private static final List<Pattern> WRITE_REFUSED = patterns("\\berofs\\b", "read-only file system");
    private static final List<Pattern> PROMPT_TOO_LONG = patterns("prompt is too long", "prompt_too_long");
    private static final List<Pattern> UNKNOWN_MODEL = patterns(
            "not_found_error.*model", "model:? .*(?:not found|does not exist)", "invalid model", "unknown model");
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
            "bad gateway",
            "empty or malformed response",
            "connection refused");
    // why: a rejected credential is the worker's fault, not the job's: the runtime gives the job back and
    // stops claiming, so the message speaks to the operator and promises nothing about the job.
    private static final String AUTH_ADVICE = "An operator must renew the Claude credential of this worker: "
            + "a new CLAUDE_CODE_OAUTH_TOKEN (claude setup-token), a new login (/login) for the mounted Claude "
            + "credentials, or a valid ANTHROPIC_API_KEY. The job itself is not at fault.";
    private static final Pattern USAGE_RESET = Pattern.compile("(?i)usage limit reached\\|(\\d{10})");

    private final Duration rateLimitDelay;
    private final Duration overloadDelay;
    private final Duration apiUnavailableDelay;
    private final Clock clock;

    /** The default least delays ({@link #DEFAULT_RATE_LIMIT_DELAY} and the others). */
    public FailureClassifier() {
        this(DEFAULT_RATE_LIMIT_DELAY, Clock.systemUTC());
    }

    /**
     * @param rateLimitDelay the least delay before retrying after a rate limit
     * @param clock used to turn a usage-limit reset time into a delay
     */
    public FailureClassifier(Duration rateLimitDelay, Clock clock) {
        this(rateLimitDelay, DEFAULT_OVERLOAD_DELAY, DEFAULT_API_UNAVAILABLE_DELAY, clock);
    }

    /**
     * @param rateLimitDelay the least delay before retrying after a rate limit (429)
     * @param overloadDelay the least delay before retrying after an overload (529)
     * @param apiUnavailableDelay the least delay before retrying after a 5xx, an unreachable API or an API timeout
     * @param clock used to turn a usage-limit reset time into a delay
     */
    public FailureClassifier(
            Duration rateLimitDelay, Duration overloadDelay, Duration apiUnavailableDelay, Clock clock) {
        this.rateLimitDelay = notNegative("rateLimitDelay", rateLimitDelay);
        this.overloadDelay = notNegative("overloadDelay", overloadDelay);
        this.apiUnavailableDelay = notNegative("apiUnavailableDelay", apiUnavailableDelay);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private static Duration notNegative(String name, Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return delay;
    }

    /**
     * The failure of a run that tried to write outside its output directory: a job fault, not retried
     * (the repository's content or the prompt may be steering the analyzer), whatever else happened.
     *
     * @param attempts what was attempted, e.g. {@code Write /srv/elsewhere.md}
     * @param count how many attempts there were (at least the size of {@code attempts})
     */
    public static JobFailure writesOutside(List<String> attempts, int count) {
        String listed = String.join("; ", attempts);
        int more = count - attempts.size();
        return JobFailure.of(
                FailureKind.INVALID_INPUT,
                FailureMessage.compose(
                        "the analyzer tried to write outside its output directory (" + listed
                                + (more > 0 ? "; and " + more + " more" : "")
                                + "); the run is refused and nothing it wrote is used",
                        "",
                        ""));
    }

    /**
     * Classifies one run; empty means success.
     *
     * @param outcome how the process ended
     * @param documentCount how many documents were collected (0 with exit 0 is a failure)
     * @param agent what the agent reported in its final result (Claude Code's result event), if anything
     */
    public Optional<JobFailure> classify(
            ProcessOutcome outcome, int documentCount, Optional<? extends AgentResult> agent) {
        return classify(outcome, documentCount, agent, null);
    }

    /**
     * Classifies one run; empty means success.
     *
     * @param timeLimit the run's configured time limit, named in the message of a timeout (or {@code null})
     */
    public Optional<JobFailure> classify(
            ProcessOutcome outcome, int documentCount, Optional<? extends AgentResult> agent, Duration timeLimit) {
        return classifyRun(outcome, documentCount, agent, Optional.empty(), timeLimit)
                .failure();
    }

    /**
     * What a run's end says: its failure (empty on success) and, when it failed on a rate limit or an overload,
     * that limit.
     *
     * @param failure why the run failed, empty on success
     * @param llmLimit the LLM API limit it failed on, if that is why it failed
     */
    public record Classification(Optional<JobFailure> failure, Optional<LlmLimit> llmLimit) {
        public Classification {
            failure = failure == null ? Optional.empty() : failure;
            llmLimit = llmLimit == null ? Optional.empty() : llmLimit;
        }
    }

    /**
     * Classifies one run and tells an LLM limit apart.
     *
     * @param outcome how the process ended
     * @param documentCount how many documents were collected (0 with exit 0 is a failure)
     * @param agent what the agent reported in its final result (Claude Code's result event), if anything
     * @param lastRetry the agent's last notice of an API retry for a rate limit or an overload (Claude Code's
     *     {@code api_retry}), if any: where the API's retry-after shows
     * @param timeLimit the run's configured time limit, named in the message of a timeout (or {@code null})
     */
    public Classification classifyRun(
            ProcessOutcome outcome,
            int documentCount,
            Optional<? extends AgentResult> agent,
            Optional<ApiRetryNotice> lastRetry,
            Duration timeLimit) {
        Objects.requireNonNull(outcome, "outcome");
        Optional<ApiRetryNotice> retry = lastRetry == null ? Optional.empty() : lastRetry;
        Optional<AgentResult> summary = agent == null ? Optional.empty() : agent.map(AgentResult.class::cast);
        if (outcome.canceled()) {
            return new Classification(
                    Optional.of(failure(
                            FailureKind.CANCELED,
                            "analysis canceled after " + human(outcome.duration()) + " (" + outcome.describe() + ")",
                            Duration.ZERO,
                            null,
                            null)),
                    Optional.empty());
        }
        String tailLabel = "last stderr lines";
        String tail = outcome.stderrTail();
        if (tail.isBlank() && summary.isPresent() && summary.get().resultText() != null) {
            tailLabel = "Claude Code result";
            tail = summary.get().resultText();
        } else if (tail.isBlank()) {
            tailLabel = "last stdout lines";
            tail = lastLines(outcome.stdoutTail(), STDOUT_LINES_SCANNED);
        }
        String label = tailLabel;
        String quoted = tail;
        Optional<Verdict> verdict = verdict(outcome, documentCount, summary, retry, timeLimit);
        return new Classification(
                verdict.map(v -> failure(v.kind(), v.summary(), v.minRetryDelay(), label, quoted)),
                verdict.map(Verdict::limit));
    }

    /** A class, what to say, how long to wait at least, and the LLM limit met (or null). */
    private record Verdict(FailureKind kind, String summary, Duration minRetryDelay, LlmLimit limit) {
        Verdict(FailureKind kind, String summary) {
            this(kind, summary, Duration.ZERO, null);
        }

        Verdict(FailureKind kind, String summary, Duration minRetryDelay) {
            this(kind, summary, minRetryDelay, null);
        }
    }

    private Optional<Verdict> verdict(
            ProcessOutcome outcome,
            int documentCount,
            Optional<AgentResult> summary,
            Optional<ApiRetryNotice> retry,
            Duration timeLimit) {
        String evidence = evidence(outcome, summary);
        if (outcome.timedOut()) {
            String authLine = firstMatch(AUTH, evidence);
            if (authLine != null) {
                // why: retrying would burn another full timeout on credentials that cannot work.
                return Optional.of(new Verdict(
                        FailureKind.AUTHENTICATION,
                        "analyzer timed out after " + human(outcome.duration()) + " while failing to authenticate"
                                + quote(authLine) + ". " + AUTH_ADVICE));
            }
            String limit = timeLimit == null ? "its time limit" : "its time limit of " + human(timeLimit);
            return Optional.of(new Verdict(
                    FailureKind.TIMEOUT,
                    "analyzer ran past " + limit + "; its process tree was terminated (" + outcome.describe()
                            + ") after " + human(outcome.duration())));
        }
        boolean claudeFailed = summary.map(AgentResult::failed).orElse(false);
        if (outcome.succeeded() && !claudeFailed) {
            return documentCount > 0
                    ? Optional.empty()
                    : Optional.of(
                            new Verdict(FailureKind.ANALYZER_FAILED, "analyzer exited 0 but produced no documents"));
        }
        String what =
                outcome.succeeded() ? "Claude Code reported an error" : "analyzer failed with " + outcome.describe();
        Integer status = summary.map(AgentResult::apiErrorStatus).orElse(null);
        String errorKind = summary.map(AgentResult::apiErrorKind).orElse("");
        String reason = summary.map(AgentResult::terminalReason).orElse("");
        String subtype = summary.map(AgentResult::subtype).orElse("");

        String line = firstMatch(AUTH, evidence);
        if (line != null
                || status != null && (status == 401 || status == 403)
                || errorKind.equals("authentication_failed")) {
            return Optional.of(new Verdict(
                    FailureKind.AUTHENTICATION, "Claude authentication failed" + quote(line) + ". " + AUTH_ADVICE));
        }
        line = firstMatch(OVERLOADED, evidence);
        if (line != null || status != null && status == 529) {
            Optional<Duration> retryAfter = RetryAfterText.find(evidence, MAX_RATE_LIMIT_DELAY)
                    .or(() -> retryAfter(retry.filter(ApiRetryNotice::overloaded)));
            Duration delay = longer(overloadDelay, retryAfter);
            return Optional.of(new Verdict(
                    FailureKind.RATE_LIMITED,
                    "Claude API overloaded" + quote(line) + retryAfterText(retryAfter) + "; retrying in " + human(delay)
                            + " at the earliest",
                    delay,
                    new LlmLimit(LlmLimit.Kind.OVERLOADED, retryAfter, limitEvidence(line, status, retry))));
        }
        line = firstMatch(RATE_LIMIT, evidence);
        if (line != null || status != null && status == 429 || errorKind.equals("rate_limit")) {
            Optional<Duration> retryAfter = usageResetDelay(evidence)
                    .or(() -> RetryAfterText.find(evidence, MAX_RATE_LIMIT_DELAY))
                    .or(() -> retryAfter(retry.filter(ApiRetryNotice::rateLimited)));
            Duration delay = longer(rateLimitDelay, retryAfter);
            return Optional.of(new Verdict(
                    FailureKind.RATE_LIMITED,
                    "Claude API rate limit" + quote(line) + retryAfterText(retryAfter) + "; retrying in " + human(delay)
                            + " at the earliest",
                    delay,
                    new LlmLimit(LlmLimit.Kind.RATE_LIMIT, retryAfter, limitEvidence(line, status, retry))));
        }
        if (firstMatch(PROMPT_TOO_LONG, evidence) != null || reason.equals("prompt_too_long")) {
            return Optional.of(new Verdict(
                    FailureKind.INVALID_INPUT, "the repository does not fit in the model's context (prompt too long)"));
        }
        if (reason.equals("max_turns") || subtype.equals("error_max_turns")) {
            return Optional.of(new Verdict(FailureKind.INVALID_INPUT, tooBig("turn limit", "needs more turns")));
        }
        if (reason.equals("budget_exhausted") || subtype.startsWith("error_max_budget")) {
            return Optional.of(new Verdict(FailureKind.INVALID_INPUT, tooBig("cost limit", "costs more")));
        }
        line = firstMatch(UNKNOWN_MODEL, evidence);
        if (line != null || status != null && status == 404) {
            return Optional.of(new Verdict(
                    FailureKind.CONFIGURATION,
                    "the Claude API does not know the configured model" + quote(line) + "; check the model setting"));
        }
        if (!outcome.succeeded() && (outcome.exitCode() == 126 || outcome.exitCode() == 127)) {
            return Optional.of(new Verdict(
                    FailureKind.CONFIGURATION,
                    "analyzer could not be run (" + outcome.describe()
                            + ": " + (outcome.exitCode() == 127 ? "command not found" : "not executable")
                            + "); check CLI_PATH and the runtime"));
        }
        line = firstMatch(CONFIGURATION, evidence);
        if (line != null) {
            return Optional.of(new Verdict(
                    FailureKind.CONFIGURATION,
                    "analyzer is misconfigured" + quote(line) + "; check CLI_PATH, NODE_PATH and the runtime"));
        }
        line = firstMatch(WRITE_REFUSED, evidence);
        if (line != null) {
            return Optional.of(new Verdict(
                    FailureKind.INVALID_INPUT,
                    "the analyzer tried to write outside its output directory and the sandbox refused it" + quote(line)
                            + "; the run is refused and nothing it wrote is used"));
        }
        line = firstMatch(TRANSIENT, evidence);
        // why: with no status and no known text, an API error is still the API's or the network's doing.
        if (line != null || status != null && status >= 500 || reason.equals("api_error") && status == null) {
            return Optional.of(new Verdict(
                    FailureKind.TRANSIENT,
                    what + ": temporary API or network error" + quote(line) + "; retrying in "
                            + human(apiUnavailableDelay) + " at the earliest",
                    apiUnavailableDelay));
        }
        if (outcome.signal() != null) {
            return Optional.of(new Verdict(
                    FailureKind.TRANSIENT, "analyzer was " + outcome.describe() + " by someone else (out of memory?)"));
        }
        if (claudeFailed) {
            AgentResult s = summary.get();
            return Optional.of(new Verdict(
                    FailureKind.ANALYZER_FAILED,
                    what + " (subtype " + s.subtype()
                            + (s.terminalReason() != null ? ", terminal reason " + s.terminalReason() : "") + ")"));
        }
        return Optional.of(new Verdict(FailureKind.ANALYZER_FAILED, what));
    }

    private static String tooBig(String limit, String needs) {
        return "the analyzer reached its " + limit + " before finishing: the repository " + needs
                + " than allowed (raise the limit, or analyse a smaller repository)";
    }

    /** The text searched for known errors: the Claude result, stderr and the end of stdout. */
    private static String evidence(ProcessOutcome outcome, Optional<AgentResult> summary) {
        List<String> parts = new ArrayList<>();
        summary.map(AgentResult::resultText).ifPresent(parts::add);
        parts.add(outcome.stderrTail());
        if (summary.isEmpty()) {
            // why: with Claude Code, stdout carries the model's own text (which may well talk about
            // "rate limits" in the analysed code); only its result event is trusted then.
            parts.add(lastLines(outcome.stdoutTail(), STDOUT_LINES_SCANNED));
        }
        return String.join("\n", parts);
    }

    /** How long until a usage limit resets, when the evidence names the reset ({@code usage limit reached|<epoch s>}). */
    private Optional<Duration> usageResetDelay(String evidence) {
        Matcher m = USAGE_RESET.matcher(evidence);
        if (!m.find()) {
            return Optional.empty();
        }
        Duration untilReset = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(m.group(1))));
        if (untilReset.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(untilReset.compareTo(MAX_RATE_LIMIT_DELAY) > 0 ? MAX_RATE_LIMIT_DELAY : untilReset);
    }

    /**
     * The API's retry-after as an {@code api_retry} notice shows it: its delay when that is longer than the CLI's own
     * backoff for that attempt could be (then it came from the API), capped at {@link #MAX_RATE_LIMIT_DELAY}.
     */
    static Optional<Duration> retryAfter(Optional<ApiRetryNotice> notice) {
        return notice.filter(n -> n.retryDelayMs() != null && n.retryDelayMs() > ownBackoffCeilingMs(n.attempt()))
                .map(n -> Duration.ofMillis(Math.min(n.retryDelayMs(), MAX_RATE_LIMIT_DELAY.toMillis())));
    }

    /** The longest delay Claude Code picks on its own before retry {@code attempt}: 500 ms doubled, plus 25 %. */
    static long ownBackoffCeilingMs(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 20);
        return Math.round(CLI_BACKOFF_BASE_MS * Math.pow(2, doublings) * 1.25);
    }

    private static Duration longer(Duration least, Optional<Duration> retryAfter) {
        return retryAfter.filter(d -> d.compareTo(least) > 0).orElse(least);
    }

    private static String retryAfterText(Optional<Duration> retryAfter) {
        return retryAfter.map(d -> "; the API asked to wait " + human(d)).orElse("");
    }

    /** What showed the limit, short and redacted, for logs. */
    private static String limitEvidence(String line, Integer status, Optional<ApiRetryNotice> retry) {
        List<String> parts = new ArrayList<>();
        if (line != null && !line.isBlank()) {
            String clean = SecretRedactor.redact(line.strip());
            parts.add(clean.length() > 200 ? clean.substring(0, 199) + "…" : clean);
        }
        if (status != null) {
            parts.add("API status " + status);
        }
        retry.ifPresent(n -> parts.add("api_retry attempt " + n.attempt() + " (" + n.error() + ", " + n.errorStatus()
                + ") waited " + n.retryDelayMs() + " ms"));
        return String.join("; ", parts);
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
