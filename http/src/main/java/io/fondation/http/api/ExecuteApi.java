package io.fondation.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.http.api.ApiHandler.Request;
import io.fondation.http.api.ApiHandler.Response;
import io.fondation.http.callback.CallbackAddressPolicy;
import io.fondation.http.callback.CallbackTarget;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSpec;
import io.fondation.shared.Secret;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The persistent server's legacy {@code POST /execute}, mapped onto the queue: the body carries the one-shot
 * variables as JSON ({@code {jobId?, repositoryUrl, branch?, prompt?, callbackUrl?, callbackToken?}}); the job is
 * enqueued (the caller's {@code jobId} is its dedupe key, so a repeated request does not queue it twice) and, with a
 * {@code callbackUrl}, reported there in the one-shot format by the {@link CallbackRelay}. A callback URL that
 * leads to this machine or its network is refused ({@link CallbackAddressPolicy}). Answers 202.
 */
final class ExecuteApi {

    private static final Set<String> FIELDS =
            Set.of("jobId", "repositoryUrl", "branch", "prompt", "callbackUrl", "callbackToken");

    private final JobQueue queue;
    private final JobsApi jobs;
    private final CallbackRelay relay;
    private final CallbackAddressPolicy callbacks;

    ExecuteApi(JobQueue queue, JobsApi jobs, CallbackRelay relay, CallbackAddressPolicy callbacks) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.relay = Objects.requireNonNull(relay, "relay");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    }

    Response execute(Request request) throws ApiException {
        JsonNode body = request.json();
        if (body.has("githubToken")) {
            throw ApiException.badRequest(
                    "githubToken", "tokens are not accepted in requests; the worker clones with its GITHUB_TOKEN");
        }
        JobsApi.requireKnownFields(body, FIELDS);
        String callerId = JobsApi.text(body, "jobId", false);
        if (callerId != null && !callerId.matches("[A-Za-z0-9._:@-]{1,128}")) {
            throw ApiException.badRequest("jobId", "use 1 to 128 letters, digits or . _ : @ -");
        }
        JobSpec spec = JobSpec.of(jobs.source(body, "repositoryUrl", "branch"), jobs.prompt(body));
        if (callerId != null) {
            spec = spec.withDedupeKey("execute:" + callerId);
        }
        CallbackTarget target = null;
        String callbackUrl = JobsApi.text(body, "callbackUrl", false);
        String token = JobsApi.text(body, "callbackToken", false);
        if (callbackUrl != null) {
            if (token != null && token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw ApiException.badRequest("callbackToken", "has control characters");
            }
            try {
                target = new CallbackTarget(
                        CallbackTarget.parseUrl(callbackUrl), token == null ? null : Secret.of(token));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("callbackUrl", e.getMessage());
            }
            try {
                // why: checked before anything is queued; checked again, and pinned, at every post
                callbacks.check(target.url());
            } catch (CallbackAddressPolicy.Refused e) {
                throw ApiException.badRequest("callbackUrl", e.getMessage());
            }
            if (!relay.hasRoom()) {
                throw new ApiException(503, "too many jobs with callbacks are being reported; try again later", null);
            }
        } else if (token != null) {
            throw ApiException.badRequest("callbackToken", "given without callbackUrl");
        }
        String id = queue.enqueue(spec);
        String reported = callerId != null ? callerId : id;
        if (target != null) {
            relay.relay(id, reported, target);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("jobId", reported);
        answer.put("id", id);
        answer.put("status", queue.get(id).map(job -> job.status().wireName()).orElse("pending"));
        answer.put("statusUrl", "/api/jobs/" + id);
        answer.put("callbacks", target != null);
        return Response.json(202, answer).withHeader("Location", "/api/jobs/" + id);
    }
}
