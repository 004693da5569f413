package io.fondation.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.http.api.ApiHandler.Request;
import io.fondation.http.api.ApiHandler.Response;
import io.fondation.http.submission.RepositoryInput;
import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** The job endpoints of the API, over any {@link JobQueue}. */
final class JobsApi {

    /** The longest prompt accepted. */
    static final int MAX_PROMPT_LENGTH = 10_000;
    /** The most jobs one list gives. */
    static final int MAX_LIST = 200;

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final Set<String> JOB_FIELDS =
            Set.of("repositoryUrl", "branch", "prompt", "userId", "priority", "maxCostUsd");

    private final JobQueue queue;
    private final ApiSettings settings;

    JobsApi(JobQueue queue, ApiSettings settings) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * {@code POST /api/jobs}: {@code {repositoryUrl, branch?, prompt?, userId?, priority?, maxCostUsd?}} → 201 with the
     * job. {@code userId} is whose turn the job waits for in fair claims (none: the shared anonymous user), {@code
     * priority} orders that user's own jobs (higher first), {@code maxCostUsd} caps the sum of its attempts' costs.
     */
    Response submit(Request request) throws ApiException {
        JsonNode body = request.json();
        requireKnownFields(body, JOB_FIELDS);
        JobSpec spec = fleetTerms(body, JobSpec.of(source(body, "repositoryUrl", "branch"), prompt(body)));
        String id = queue.enqueue(spec);
        JobSnapshot job = queue.get(id).orElseThrow(() -> ApiException.notFound("job " + id + " vanished"));
        return Response.json(201, JobJson.job(job)).withHeader("Location", "/api/jobs/" + id);
    }

    /** {@code GET /api/jobs?status=&limit=}. */
    Response list(Request request) throws ApiException {
        JobStatus status = null;
        String statusText = request.query().get("status");
        if (statusText != null && !statusText.isBlank()) {
            try {
                status = JobStatus.fromWire(statusText);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("status", e.getMessage());
            }
        }
        int limit = 50;
        String limitText = request.query().get("limit");
        if (limitText != null && !limitText.isBlank()) {
            try {
                limit = Integer.parseInt(limitText.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit", "'" + limitText + "' is not a whole number");
            }
            if (limit < 1 || limit > MAX_LIST) {
                throw ApiException.badRequest("limit", "must be from 1 to " + MAX_LIST + ", was " + limit);
            }
        }
        return Response.json(200, Map.of("jobs", JobJson.jobs(queue.list(status, limit))));
    }

    /** {@code GET /api/jobs/{id}}. */
    Response get(Request request) throws ApiException {
        return Response.json(200, JobJson.job(job(request)));
    }

    /** {@code GET /api/jobs/{id}/docs}: the documents of a completed job, in reading order. */
    Response documents(Request request) throws ApiException {
        JobSnapshot job = job(request);
        if (job.status() != JobStatus.COMPLETED) {
            throw new ApiException(
                    409,
                    "job " + job.id() + " is " + job.status().wireName()
                            + "; its documents exist once it has completed",
                    null);
        }
        List<Document> documents = queue.documents(job.id());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", job.id());
        body.put("status", job.status().wireName());
        body.put("documents", documents.stream().map(JobJson::document).toList());
        return Response.json(200, body);
    }

    /** {@code POST /api/jobs/{id}/cancel}. */
    Response cancel(Request request) throws ApiException {
        JobSnapshot job = job(request);
        if (!queue.cancel(job.id())) {
            JobSnapshot now = queue.get(job.id()).orElse(job);
            throw new ApiException(
                    409,
                    "job " + job.id() + " already ended (" + now.status().wireName() + "); nothing to cancel",
                    null);
        }
        return Response.json(200, JobJson.job(queue.get(job.id()).orElse(job)));
    }

    /** The job the path names. */
    JobSnapshot job(Request request) throws ApiException {
        String id = request.parameter("id");
        if (id == null || !JOB_ID.matcher(id).matches()) {
            throw ApiException.notFound("no job " + (id == null ? "" : "'" + shortText(id) + "'"));
        }
        return queue.get(id).orElseThrow(() -> ApiException.notFound("no job " + id));
    }

    /** The repository of a request, with the rules of {@code submit}. */
    CloneSource source(JsonNode body, String urlField, String branchField) throws ApiException {
        String url = text(body, urlField, true);
        String branch = text(body, branchField, false);
        if (branch != null && !CloneSource.isSafeBranch(branch.strip())) {
            throw ApiException.badRequest(branchField, "'" + shortText(branch) + "' is not a valid git branch name");
        }
        try {
            return RepositoryInput.parse(url, branch, settings.allowLocalRepositories());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(urlField, e.getMessage());
        }
    }

    /** The job's user, priority and cost cap (issue 22), each checked as {@link JobSpec} checks it. */
    static JobSpec fleetTerms(JsonNode body, JobSpec spec) throws ApiException {
        JobSpec result = spec;
        String user = text(body, "userId", false);
        try {
            result = result.withUser(user);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("userId", e.getMessage());
        }
        JsonNode priority = body.get("priority");
        if (priority != null && !priority.isNull()) {
            if (!priority.canConvertToInt() || !priority.isIntegralNumber()) {
                throw ApiException.badRequest("priority", "priority must be a whole number");
            }
            try {
                result = result.withPriority(priority.intValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("priority", e.getMessage());
            }
        }
        JsonNode maxCost = body.get("maxCostUsd");
        if (maxCost != null && !maxCost.isNull()) {
            if (!maxCost.isNumber()) {
                throw ApiException.badRequest("maxCostUsd", "maxCostUsd must be a number of US dollars");
            }
            try {
                result = result.withMaxCostUsd(maxCost.decimalValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("maxCostUsd", e.getMessage());
            }
        }
        return result;
    }

    String prompt(JsonNode body) throws ApiException {
        String prompt = text(body, "prompt", false);
        if (prompt != null && prompt.length() > MAX_PROMPT_LENGTH) {
            throw ApiException.badRequest(
                    "prompt",
                    "is " + prompt.length() + " characters long; at most " + MAX_PROMPT_LENGTH + " are accepted");
        }
        return prompt;
    }

    static void requireKnownFields(JsonNode body, Set<String> known) throws ApiException {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest(
                        name,
                        "unknown field '" + shortText(name) + "'; accepted: "
                                + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    static String text(JsonNode body, String field, boolean required) throws ApiException {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.badRequest(field, field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        String value = node.asText();
        if (required && value.isBlank()) {
            throw ApiException.badRequest(field, field + " is empty");
        }
        return value.isBlank() ? null : value;
    }

    static String shortText(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
