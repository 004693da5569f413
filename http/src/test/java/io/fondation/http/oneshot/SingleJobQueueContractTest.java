package io.fondation.http.oneshot;

import static java.util.Map.entry;

import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CompleteOutcome;
import io.fondation.shared.Completion;
import io.fondation.shared.Document;
import io.fondation.shared.HeartbeatResult;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobQueue;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobSpec;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import io.fondation.shared.RetryDecision;
import io.fondation.shared.RetryPolicy;
import io.fondation.shared.contract.JobQueueContract;
import io.fondation.shared.contract.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The SPI's contract on {@code run-job}'s queue of one job ({@link SingleJobQueue}), in the cases that apply to a
 * queue of exactly one job: the contract's first {@code enqueue} makes that job (as {@code run-job} makes it from
 * {@code JOB_ID}), a second one is refused. The cases that do not apply are named in {@link #NOT_APPLICABLE} with
 * the reason, and reported as skipped with it.
 */
@ExtendWith(SingleJobQueueContractTest.OnlyWhatApplies.class)
class SingleJobQueueContractTest extends JobQueueContract {

    private static final String SEVERAL_JOBS = "needs more than one job; a one-shot queue holds exactly one";

    /** The contract's cases that do not apply to a queue of one job, and why. */
    static final Map<String, String> NOT_APPLICABLE = Map.ofEntries(
            entry("listReturnsNewestFirstFilteredByStatusAndLimited", SEVERAL_JOBS),
            entry("dedupeKeyReturnsTheActiveJob", SEVERAL_JOBS + " (a second enqueue is refused, not deduplicated)"),
            entry("claimsDueJobsInRunAtOrderAndNotBeforeRunAt", SEVERAL_JOBS),
            entry("concurrentWorkersClaimAndCompleteEveryJobExactlyOnce", SEVERAL_JOBS),
            entry("enqueuedJobIsPendingWithItsSpec", SEVERAL_JOBS + " (its second half enqueues a job by full name)"),
            entry("aClaimedJobSaysSinceWhenItWasDue", SEVERAL_JOBS),
            entry("anEndedJobHoldsNoLock", SEVERAL_JOBS),
            entry("completionRecordsTheLastProgressAndFailuresRecordTheirs", SEVERAL_JOBS),
            entry(
                    "oversizedDocumentIsRejectedWithItsSlugAndNothingChanges",
                    "the one-shot queue stores no document: its limit is the complete callback's whole payload"
                            + " (MAX_PAYLOAD_BYTES, OneShotJob's completion check), not a size per document"));

    @Override
    protected JobQueue createQueue(MutableClock clock) {
        return new OneJob(clock);
    }

    /** Disables the cases of {@link #NOT_APPLICABLE}, with their reason. */
    static final class OnlyWhatApplies implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod()
                    .map(method -> NOT_APPLICABLE.get(method.getName()))
                    .map(ConditionEvaluationResult::disabled)
                    .orElse(ConditionEvaluationResult.enabled("applies to a queue of one job"));
        }
    }

    /** The one-shot queue as the contract drives it: empty until the first enqueue makes its one job. */
    private static final class OneJob implements JobQueue {
        private final Clock clock;
        private SingleJobQueue job;

        OneJob(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized String enqueue(JobSpec spec) {
            if (job != null) {
                return job.enqueue(spec); // refused: exactly one job
            }
            String id = UUID.randomUUID().toString();
            job = new SingleJobQueue(id, spec, clock, RetryPolicy.DEFAULT, completion -> Optional.empty());
            return id;
        }

        private synchronized Optional<SingleJobQueue> job() {
            return Optional.ofNullable(job);
        }

        @Override
        public Optional<ClaimedJob> claimOne(String workerId, Duration leaseDuration) {
            return job().flatMap(one -> one.claimOne(workerId, leaseDuration));
        }

        @Override
        public HeartbeatResult heartbeat(JobLease lease, JobStatus phase, Progress progress, Duration leaseDuration) {
            return job().map(one -> one.heartbeat(lease, phase, progress, leaseDuration))
                    .orElseGet(() -> HeartbeatResult.lost(lease));
        }

        @Override
        public CompleteOutcome complete(JobLease lease, Completion completion) {
            return job().map(one -> one.complete(lease, completion)).orElse(CompleteOutcome.NOT_HELD);
        }

        @Override
        public RetryDecision retryOrFail(JobLease lease, JobFailure failure, Progress progress) {
            return job().map(one -> one.retryOrFail(lease, failure, progress)).orElseGet(RetryDecision.NotHeld::new);
        }

        @Override
        public boolean release(JobLease lease) {
            return job().map(one -> one.release(lease)).orElse(false);
        }

        @Override
        public boolean cancel(String jobId) {
            return job().map(one -> one.cancel(jobId)).orElse(false);
        }

        @Override
        public Optional<JobSnapshot> get(String jobId) {
            return job().flatMap(one -> one.get(jobId));
        }

        @Override
        public List<JobSnapshot> list(JobStatus status, int limit) {
            return job().map(one -> one.list(status, limit)).orElse(List.of());
        }

        @Override
        public List<Document> documents(String jobId) {
            return job().map(one -> one.documents(jobId)).orElse(List.of());
        }
    }
}
