package io.fondation.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Renders jobs for {@code status}: a table, one job in full, or JSON. */
final class JobFormatter {

    static final int ERROR_WIDTH = 60;
    static final int PROGRESS_WIDTH = 44;
    static final int SOURCE_WIDTH = 40;
    private static final Pattern STEP_PREFIX = Pattern.compile("^(?:Étape|Etape|Step)\\s+\\d+\\s*/\\s*\\d+\\s*:\\s*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JobFormatter() {}

    /** One row per job: id, status, progress, attempts, source, last error (one line). */
    static String table(List<JobSnapshot> jobs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATUS", "PROGRESS", "ATTEMPTS", "SOURCE", "LAST ERROR"});
        for (JobSnapshot job : jobs) {
            rows.add(new String[] {
                JobIds.shortId(job.id()),
                job.status().wireName(),
                truncate(progressColumn(job), PROGRESS_WIDTH),
                job.attempts() + "/" + job.maxAttempts(),
                truncate(describe(job), SOURCE_WIDTH),
                truncate(oneLine(job.lastError()), ERROR_WIDTH)
            });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** Every field of one job, the last error in full. */
    static String detail(JobSnapshot job) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Job", job.id());
        fields.put("Status", job.status().wireName() + (job.cancelRequested() ? " (cancel requested)" : ""));
        fields.put("Source", describe(job));
        fields.put("Prompt", job.prompt().isEmpty() ? "(none)" : oneLine(job.prompt()));
        fields.put("Attempts", job.attempts() + "/" + job.maxAttempts());
        if (job.user() != null) {
            fields.put("User", job.user() + (job.priority() != 0 ? " (priority " + job.priority() + ")" : ""));
        }
        if (job.costUsd() != null) {
            fields.put("Cost", costText(job.costUsd(), job.maxCostUsd()));
        }
        fields.put("Progress", job.progress() == null ? "(none)" : progressColumn(job));
        fields.put("Documents", String.valueOf(job.documentCount()));
        if (job.result() != null) {
            fields.put("Result", resultText(job.result()));
            job.result().details().forEach((key, value) -> fields.put("  " + key, String.valueOf(value)));
        }
        fields.put("Run at", time(job.runAt()));
        fields.put("Locked by", job.lockedBy() == null ? "-" : job.lockedBy());
        fields.put("Lease until", time(job.leaseUntil()));
        fields.put("Created", time(job.createdAt()));
        fields.put("Updated", time(job.updatedAt()));
        fields.put("Completed", time(job.completedAt()));
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        StringBuilder out = new StringBuilder();
        fields.forEach(
                (key, value) -> out.append(pad(key + ":", width)).append(value).append('\n'));
        out.append("Last error:");
        if (job.lastError() == null || job.lastError().isBlank()) {
            out.append(" (none)\n");
        } else {
            out.append('\n');
            job.lastError()
                    .lines()
                    .forEach(line -> out.append("  ").append(line).append('\n'));
        }
        return out.toString();
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A job as a JSON-friendly map (status as its wire name, times as ISO-8601 strings). The source,
     * progress and result are records, which Jackson writes as their components in order:
     * {@code {url, fullName, branch}}, {@code {step, totalSteps, message}}, {@code {message, documentCount, details}}.
     */
    static Map<String, Object> toMap(JobSnapshot job) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", job.id());
        map.put("status", job.status().wireName());
        map.put("source", job.source());
        map.put("prompt", job.prompt());
        map.put("attempts", job.attempts());
        map.put("maxAttempts", job.maxAttempts());
        map.put("progress", job.progress());
        map.put("lastError", job.lastError());
        map.put("result", job.result());
        map.put("documentCount", job.documentCount());
        map.put("user", job.user());
        map.put("priority", job.priority());
        map.put("costUsd", job.costUsd() == null ? null : job.costUsd().doubleValue());
        map.put("maxCostUsd", job.maxCostUsd() == null ? null : job.maxCostUsd().doubleValue());
        map.put("cancelRequested", job.cancelRequested());
        map.put("lockedBy", job.lockedBy());
        map.put("runAt", iso(job.runAt()));
        map.put("leaseUntil", iso(job.leaseUntil()));
        map.put("createdAt", iso(job.createdAt()));
        map.put("updatedAt", iso(job.updatedAt()));
        map.put("completedAt", iso(job.completedAt()));
        return map;
    }

    /** What a job's attempts cost in all, and of which cap: {@code $0.40 of $1.00}, or {@code $0.40 (no limit)}. */
    static String costText(java.math.BigDecimal costUsd, java.math.BigDecimal maxCostUsd) {
        String cost = "$" + costUsd.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
        return maxCostUsd == null
                ? cost + " (no limit)"
                : cost + " of $"
                        + maxCostUsd.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    /**
     * The progress column: a completed job shows its result, since its last progress report may
     * predate the end of the run (heartbeats are throttled, and the final write is {@code complete}).
     */
    static String progressColumn(JobSnapshot job) {
        if (job.status() == JobStatus.COMPLETED && job.result() != null) {
            return resultText(job.result());
        }
        return progress(job.progress());
    }

    /** The result's message on one line, or the document count when it has none. */
    private static String resultText(JobResult result) {
        return result.message().isEmpty() ? result.documentCount() + " documents" : oneLine(result.message());
    }

    /**
     * "2/6 Analyse des relations entre composants": a leading "Étape 2/6:" in the message is not
     * repeated; before the first step, the message alone.
     */
    static String progress(Progress progress) {
        if (progress == null) {
            return "-";
        }
        String message = oneLine(STEP_PREFIX.matcher(progress.message()).replaceFirst(""));
        // Step 0 is "before the analyzer's first step" (cloning ...): a fraction would say nothing.
        return progress.step() == 0 ? message : (progress.step() + "/" + progress.totalSteps() + " " + message).trim();
    }

    static String oneLine(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        List<String> lines = text.strip()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
        return lines.isEmpty() ? "" : lines.get(0) + (lines.size() > 1 ? " …" : "");
    }

    static String truncate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The job's source in words, or a note when the queue holds an unusable one. */
    static String describe(JobSnapshot job) {
        return job.source() == null ? "(unusable source)" : job.source().describe();
    }
}
