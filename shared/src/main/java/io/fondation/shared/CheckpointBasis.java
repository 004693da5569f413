package io.fondation.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a checkpoint's files were made from. Files made from other inputs are not those a new attempt would make, so
 * an attempt resumes only from a checkpoint whose basis equals its own ({@link #differencesFrom} says why not).
 *
 * @param commit the full id of the commit that was cloned and analysed (40 hex digits, or 64 for SHA-256
 *     repositories), lower case
 * @param analyzerKind which analyzer wrote the files ({@code fondation-cli}, {@code claude}, {@code dry-run}, a
 *     command's name): 1 to 64 lower-case letters, digits, {@code . _ -}
 * @param analyzerVersion the analyzer's version as the worker knows it (a CLI's version, a bundle's digest), 1 to 128
 *     printable characters
 * @param model the model it ran with, or {@code ""} for the analyzer's own default; at most 128 characters
 * @param promptFingerprint {@link #fingerprint(String)} of everything the analyzer was told (the job's prompt and
 *     any instructions of the worker's own)
 */
public record CheckpointBasis(
        String commit, String analyzerKind, String analyzerVersion, String model, String promptFingerprint) {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7E]{1,128}");
    private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int MAX_MODEL_CHARS = 128;

    public CheckpointBasis {
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(analyzerKind, "analyzerKind");
        Objects.requireNonNull(analyzerVersion, "analyzerVersion");
        Objects.requireNonNull(promptFingerprint, "promptFingerprint");
        model = model == null ? "" : model;
        if (!COMMIT.matcher(commit).matches()) {
            throw new IllegalArgumentException(
                    "commit must be a full commit id (40 or 64 lower-case hex digits), was '" + commit + "'");
        }
        if (!KIND.matcher(analyzerKind).matches()) {
            throw new IllegalArgumentException(
                    "analyzerKind must be 1 to 64 lower-case letters, digits, . _ -, was '" + analyzerKind + "'");
        }
        if (!PRINTABLE.matcher(analyzerVersion).matches()) {
            throw new IllegalArgumentException("analyzerVersion must be 1 to 128 printable ASCII characters");
        }
        if (model.length() > MAX_MODEL_CHARS || model.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(
                    "model must be at most " + MAX_MODEL_CHARS + " characters without control characters");
        }
        if (!FINGERPRINT.matcher(promptFingerprint).matches()) {
            throw new IllegalArgumentException(
                    "promptFingerprint must be 'sha256:' and 64 hex digits (CheckpointBasis.fingerprint)");
        }
    }

    /**
     * The fingerprint of a prompt: {@code sha256:} and the SHA-256 of its UTF-8 bytes in hex. A checkpoint keeps only
     * this, never the prompt itself.
     */
    public static String fingerprint(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * What differs between this basis (the checkpoint's) and {@code wanted} (the running attempt's), in words for the
     * log and the job row, e.g. {@code commit 1a2b3c4d5e6f (checkpoint) is not 9f8e7d6c5b4a}; empty when they are
     * equal. Never contains a prompt, only which part differs.
     */
    public List<String> differencesFrom(CheckpointBasis wanted) {
        Objects.requireNonNull(wanted, "wanted");
        List<String> differences = new ArrayList<>();
        if (!commit.equals(wanted.commit)) {
            differences.add("commit " + shortCommit(commit) + " (checkpoint) is not " + shortCommit(wanted.commit));
        }
        if (!analyzerKind.equals(wanted.analyzerKind)) {
            differences.add("analyzer " + analyzerKind + " (checkpoint) is not " + wanted.analyzerKind);
        }
        if (!analyzerVersion.equals(wanted.analyzerVersion)) {
            differences.add("analyzer version " + analyzerVersion + " (checkpoint) is not " + wanted.analyzerVersion);
        }
        if (!model.equals(wanted.model)) {
            differences.add("model " + describeModel(model) + " (checkpoint) is not " + describeModel(wanted.model));
        }
        if (!promptFingerprint.equals(wanted.promptFingerprint)) {
            differences.add("the prompt differs");
        }
        return List.copyOf(differences);
    }

    private static String shortCommit(String commit) {
        return commit.substring(0, 12);
    }

    private static String describeModel(String model) {
        return model.isEmpty() ? "(the analyzer's default)" : model;
    }
}
