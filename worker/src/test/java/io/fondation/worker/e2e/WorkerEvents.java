package io.fondation.worker.e2e;

import static org.awaitility.Awaitility.await;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.engine.events.WorkerListener;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every worker event as a typed value, in order, for assertions that read as sentences. */
public final class WorkerEvents implements WorkerListener {

    /** One thing the worker did. */
    public sealed interface Event permits Claimed, PhaseEntered, ProgressMade, Ended, FaultOpened, FaultCleared {}

    public record Claimed(ClaimedJob job) implements Event {}

    public record PhaseEntered(String jobId, JobStatus phase) implements Event {}

    public record ProgressMade(String jobId, Progress progress) implements Event {}

    public record Ended(ClaimedJob job, AttemptOutcome outcome) implements Event {}

    public record FaultOpened(JobFailure fault) implements Event {}

    public record FaultCleared() implements Event {}

    private final List<Event> events = new CopyOnWriteArrayList<>();

    public List<Event> all() {
        return List.copyOf(events);
    }

    /** The phases a job entered, in order. */
    public List<JobStatus> phasesOf(String jobId) {
        return events.stream()
                .filter(e -> e instanceof PhaseEntered p && p.jobId().equals(jobId))
                .map(e -> ((PhaseEntered) e).phase())
                .toList();
    }

    /** The progress a job reported, in order. */
    public List<Progress> progressOf(String jobId) {
        return events.stream()
                .filter(e -> e instanceof ProgressMade p && p.jobId().equals(jobId))
                .map(e -> ((ProgressMade) e).progress())
                .toList();
    }

    /** How each attempt at a job ended, in order. */
    public List<AttemptOutcome> outcomesOf(String jobId) {
        return events.stream()
                .filter(e -> e instanceof Ended ended && ended.job().id().equals(jobId))
                .map(e -> ((Ended) e).outcome())
                .toList();
    }

    /** The attempts claimed of a job, in order. */
    public List<ClaimedJob> claimsOf(String jobId) {
        return events.stream()
                .filter(e -> e instanceof Claimed c && c.job().id().equals(jobId))
                .map(e -> ((Claimed) e).job())
                .toList();
    }

    /** The last claim of a job, with its lease. */
    public ClaimedJob claimOf(String jobId) {
        List<ClaimedJob> claims = claimsOf(jobId);
        return claims.isEmpty() ? null : claims.get(claims.size() - 1);
    }

    public Optional<AttemptOutcome> lastOutcomeOf(String jobId) {
        List<AttemptOutcome> outcomes = outcomesOf(jobId);
        return outcomes.isEmpty() ? Optional.empty() : Optional.of(outcomes.get(outcomes.size() - 1));
    }

    public List<JobFailure> faults() {
        return events.stream()
                .filter(e -> e instanceof FaultOpened)
                .map(e -> ((FaultOpened) e).fault())
                .toList();
    }

    public boolean recovered() {
        return events.stream().anyMatch(e -> e instanceof FaultCleared);
    }

    /** Waits until an attempt at the job ends as {@code type}, and returns that outcome. */
    public <T extends AttemptOutcome> T awaitOutcome(String jobId, Class<T> type, Duration max) {
        await().atMost(max).until(() -> outcomesOf(jobId).stream().anyMatch(type::isInstance));
        return outcomesOf(jobId).stream()
                .filter(type::isInstance)
                .map(type::cast)
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void onClaimed(ClaimedJob job) {
        events.add(new Claimed(job));
    }

    @Override
    public void onPhase(String jobId, JobStatus phase) {
        events.add(new PhaseEntered(jobId, phase));
    }

    @Override
    public void onProgress(String jobId, Progress progress) {
        events.add(new ProgressMade(jobId, progress));
    }

    @Override
    public void onOutcome(ClaimedJob job, AttemptOutcome outcome) {
        events.add(new Ended(job, outcome));
    }

    @Override
    public void onWorkerFault(JobFailure fault, Duration nextCheck) {
        events.add(new FaultOpened(fault));
    }

    @Override
    public void onWorkerRecovered() {
        events.add(new FaultCleared());
    }
}
