package io.fondation.http.oneshot;

import io.fondation.http.HttpDefaults;
import io.fondation.http.callback.CallbackTarget;
import io.fondation.http.callback.LocalhostRewrite;
import io.fondation.http.submission.RepositoryInput;
import io.fondation.shared.CloneSource;
import io.fondation.shared.ConfigurationException;
import io.fondation.shared.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads {@link OneShotSettings} from the variables of the existing one-shot mode ({@code JOB_ID},
 * {@code REPOSITORY_URL}, {@code BRANCH}, {@code CALLBACK_URL}, {@code CALLBACK_TOKEN}) and the callback tuning
 * ({@code CALLBACK_RETRIES}, {@code CALLBACK_RETRY_DELAY}, {@code CALLBACK_TIMEOUT}, {@code
 * CALLBACK_MAX_PAYLOAD_BYTES}, {@code CALLBACK_REWRITE_LOCALHOST}). Every problem is a {@link
 * ConfigurationException} naming the variable, except a refusal of the job's own input ({@code REPOSITORY_URL},
 * {@code BRANCH}), which {@link OneShotSettings#refusal()} carries to the receiver; the token is never part of a
 * message.
 */
public final class OneShotSettingsLoader {

    public static final int DEFAULT_CALLBACK_RETRIES = HttpDefaults.CALLBACK_RETRIES;
    public static final Duration DEFAULT_CALLBACK_RETRY_DELAY = Duration.ofMillis(HttpDefaults.CALLBACK_RETRY_DELAY_MS);
    public static final Duration DEFAULT_CALLBACK_TIMEOUT = Duration.ofMillis(HttpDefaults.CALLBACK_TIMEOUT_MS);
    /** {@link HttpDefaults#MAX_PAYLOAD_BYTES}. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = HttpDefaults.MAX_PAYLOAD_BYTES;

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private OneShotSettingsLoader() {}

    /**
     * @param values the environment with the flags applied (same names)
     * @param prompt the prompt, may be {@code null}
     * @param maxAttempts attempts within this run, at least 1
     * @param allowLocal {@code ALLOW_LOCAL_REPOSITORIES} as the worker configuration read it
     * @param root the file system root the container markers are looked for under ({@code /})
     * @throws ConfigurationException naming the first variable at fault
     */
    public static OneShotSettings load(
            Map<String, String> values, String prompt, int maxAttempts, boolean allowLocal, Path root) {
        return load(values, prompt, maxAttempts, allowLocal, root, LocalhostRewrite.Probe.NETWORK);
    }

    /**
     * {@link #load(Map, String, int, boolean, Path)} with the network look-ups of the container rewrite given.
     *
     * @param probe whether the local receiver answers and {@code host.docker.internal} resolves
     */
    public static OneShotSettings load(
            Map<String, String> values,
            String prompt,
            int maxAttempts,
            boolean allowLocal,
            Path root,
            LocalhostRewrite.Probe probe) {
        Objects.requireNonNull(values, "values");
        String jobId = required(values, "JOB_ID", "the caller's id of the job, echoed in every callback");
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new ConfigurationException(
                    "JOB_ID", "'" + jobId + "' is not a valid job id; use 1 to 128 letters, digits or . _ : @ -");
        }
        URI url;
        try {
            url = CallbackTarget.parseUrl(required(values, "CALLBACK_URL", "where the callbacks are posted"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("CALLBACK_URL", e.getMessage());
        }
        LocalhostRewrite.Mode mode;
        try {
            mode = LocalhostRewrite.Mode.parse(optional(values, "CALLBACK_REWRITE_LOCALHOST"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("CALLBACK_REWRITE_LOCALHOST", e.getMessage());
        }
        URI target = LocalhostRewrite.target(mode, url, root, probe);
        // The job's own input comes last: once the callback is known, a refused repository or branch is reported
        // to the receiver (an error callback, exit 1) instead of leaving its job waiting.
        String repository = required(values, "REPOSITORY_URL", "the repository to analyse (a URL or owner/name)");
        String branch = optional(values, "BRANCH");
        CloneSource source = null;
        String refusal = null;
        if (branch != null && !CloneSource.isSafeBranch(branch)) {
            refusal = "BRANCH: '" + branch + "' is not a valid git branch name";
        } else {
            try {
                source = RepositoryInput.parse(repository, branch, allowLocal);
            } catch (IllegalArgumentException e) {
                refusal = (e.getMessage().startsWith("branch") ? "BRANCH: " : "REPOSITORY_URL: ") + e.getMessage();
            }
        }
        String token = optional(values, "CALLBACK_TOKEN");
        if (maxAttempts < 1) {
            throw new ConfigurationException("--max-attempts", "must be at least 1, was " + maxAttempts);
        }
        return new OneShotSettings(
                jobId,
                source,
                refusal,
                prompt,
                maxAttempts,
                new CallbackTarget(target, token == null ? null : Secret.of(token)),
                !target.equals(url),
                (int) number(values, "CALLBACK_RETRIES", DEFAULT_CALLBACK_RETRIES, 0, 20, "a whole number of retries"),
                Duration.ofMillis(number(
                        values, "CALLBACK_RETRY_DELAY", DEFAULT_CALLBACK_RETRY_DELAY.toMillis(), 1, 60_000, "ms")),
                Duration.ofMillis(
                        number(values, "CALLBACK_TIMEOUT", DEFAULT_CALLBACK_TIMEOUT.toMillis(), 100, 600_000, "ms")),
                number(
                        values,
                        "CALLBACK_MAX_PAYLOAD_BYTES",
                        DEFAULT_MAX_PAYLOAD_BYTES,
                        1024,
                        1024L * 1024 * 1024,
                        "a whole number of bytes"));
    }

    private static String required(Map<String, String> values, String name, String what) {
        String value = optional(values, name);
        if (value == null) {
            throw new ConfigurationException(name, "not set; run-job needs it (" + what + ")");
        }
        return value;
    }

    private static String optional(Map<String, String> values, String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static long number(
            Map<String, String> values, String name, long fallback, long min, long max, String unit) {
        String value = optional(values, name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(
                    name, "'" + value + "' is not " + unit.replaceFirst("^ms$", "a whole number of ms"));
        }
        if (parsed < min || parsed > max) {
            throw new ConfigurationException(name, parsed + " is outside " + min + " – " + max);
        }
        return parsed;
    }
}
