package io.fondation.clibridge.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.Progress;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {

    private final ProgressTracker tracker = new ProgressTracker(new ProgressParser());

    @Test
    void reportsAdvancesAndNeverGoesBackwards() {
        assertThat(tracker.current()).isEmpty();
        assertThat(tracker.offer("[FONDATION_STEP_1/6] Extracting core abstractions from codebase"))
                .isPresent();
        assertThat(tracker.offer("Step 3/6: Determining optimal chapter order"))
                .contains(new Progress(3, 6, "Determining optimal chapter order"));
        assertThat(tracker.offer("[2/6] Analyze: late line")).isEmpty();
        assertThat(tracker.offer("Step 1 of 6")).isEmpty();
        assertThat(tracker.current()).contains(new Progress(3, 6, "Determining optimal chapter order"));
    }

    @Test
    void mergesRepeatedMessages() {
        assertThat(tracker.offer("{\"msg\":\"[FONDATION_STEP_4/6] Generating chapter content\"}"))
                .isPresent();
        assertThat(tracker.offer("{\"msg\":\"[FONDATION_STEP_4/6] Generating chapter content\"}"))
                .isEmpty();
        assertThat(tracker.offer("[4/6] Generate: Generating chapter content")).isEmpty();
        assertThat(tracker.offer("[4/6] Generate: chapter 3 of 9")).contains(new Progress(4, 6, "chapter 3 of 9"));
    }

    @Test
    void stepLessDetailsUpdateTheCurrentStepOnly() {
        tracker.offer("Step 2/6: Analyzing relationships between components");
        assertThat(tracker.offer("[PROGRESS] reading src/main.ts")).contains(new Progress(2, 6, "reading src/main.ts"));
        assertThat(tracker.offer("[PROGRESS] reading src/main.ts")).isEmpty();
        assertThat(tracker.current()).contains(new Progress(2, 6, "reading src/main.ts"));
    }

    @Test
    void ignoresNonProgressLines() {
        assertThat(tracker.offer("hello")).isEmpty();
        assertThat(tracker.offer("{\"level\":\"info\",\"msg\":\"Analysis failed\"}"))
                .isEmpty();
        assertThat(tracker.current()).isEmpty();
    }
}
