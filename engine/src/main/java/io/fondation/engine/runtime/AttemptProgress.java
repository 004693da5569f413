package io.fondation.engine.runtime;

import io.fondation.clibridge.progress.ProgressLanguage;
import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;

/**
 * Where an attempt is: the phase it entered and the last progress, in the UI's language. Every change goes to
 * the heartbeat (which sends it, throttled) and to the worker's events; the last progress travels with the attempt's
 * final write, so the row ends with how far the attempt really came.
 */
final class AttemptProgress {

    private final ClaimedJob job;
    private final JobHeartbeat heartbeat;
    private final EventSink events;
    private final ProgressLanguage language;
    private volatile Progress last;

    AttemptProgress(ClaimedJob job, JobHeartbeat heartbeat, EventSink events, ProgressLanguage language) {
        this.job = job;
        this.heartbeat = heartbeat;
        this.events = events;
        this.language = language;
    }

    /** The attempt enters a work phase; its progress text says so, keeping the step already reached. */
    void enter(JobStatus phase) {
        Progress progress = PhaseText.of(phase, language, last);
        last = progress;
        heartbeat.update(phase, progress);
        events.publish(new WorkerEvent.PhaseEntered(job, phase, progress));
    }

    /** The analyzer reported progress (localized here: Fondation steps get the UI's names). */
    void analyzer(Progress raw) {
        Progress progress = PhaseText.localized(raw, language);
        last = progress;
        heartbeat.update(null, progress);
        events.publish(new WorkerEvent.ProgressReported(job, progress));
    }

    /** The attempt resumes from its job's checkpoint: the row says from where ({@code resumed at step 5/6 ...}). */
    void resumed(Progress value) {
        last = value;
        heartbeat.update(null, value);
        events.publish(new WorkerEvent.ProgressReported(job, value));
    }

    /** The last progress, or {@code null} before the first phase. */
    Progress last() {
        return last;
    }
}
