package io.fondation.worker.cli;

import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import java.util.List;
import java.util.Optional;

/** Job ids as people type and read them: the first 8 characters of a UUID are enough. */
final class JobIds {

    static final int SHORT_LENGTH = 8;
    /** How many recent jobs a prefix is matched against. */
    static final int PREFIX_SEARCH_LIMIT = 1_000;

    private JobIds() {}

    static String shortId(String id) {
        return id.length() > SHORT_LENGTH + 4 ? id.substring(0, SHORT_LENGTH) : id;
    }

    /**
     * The job with this id, or the only recent job whose id starts with it.
     *
     * @throws UsageException when the prefix matches several jobs
     */
    static Optional<JobSnapshot> find(JobQueue queue, String idOrPrefix) {
        Optional<JobSnapshot> exact = queue.get(idOrPrefix);
        if (exact.isPresent() || idOrPrefix.length() < 4) {
            return exact;
        }
        List<JobSnapshot> matches = queue.list(null, PREFIX_SEARCH_LIMIT).stream()
                .filter(job -> job.id().startsWith(idOrPrefix))
                .toList();
        if (matches.size() > 1) {
            throw new UsageException(
                    "job id prefix '" + idOrPrefix + "' matches " + matches.size() + " jobs; give more characters");
        }
        return matches.stream().findFirst();
    }
}
