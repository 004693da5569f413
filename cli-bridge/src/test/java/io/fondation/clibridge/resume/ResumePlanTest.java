package io.fondation.clibridge.resume;

import static io.fondation.clibridge.resume.Layout.chapter;
import static io.fondation.clibridge.resume.Layout.reviewed;
import static io.fondation.clibridge.resume.Layout.tutorial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.fondation.FondationCliCommand;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResumePlanTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void aFailureInStepKResumesAtStepK(int doneSteps) {
        ResumePlan plan = ResumePlan.of(Layout.upTo(doneSteps));

        int k = doneSteps + 1;
        assertThat(plan.firstStep()).isEqualTo(k);
        assertThat(plan.stepsToRun()).hasSize(7 - k).startsWith(k).endsWith(6);
        assertThat(plan.stepsResumed()).isEqualTo(doneSteps);
        assertThat(plan.kept()).hasSize(Layout.upTo(doneSteps).size());
        assertThat(plan.dropped()).isEmpty();
        assertThat(plan.isComplete()).isFalse();
        assertThat(plan.describe())
                .isEqualTo(
                        k == 1
                                ? "nothing to resume: runs from step 1/6"
                                : "resumed at step " + k + "/6 (" + plan.kept().size() + (k == 2 ? " file" : " files")
                                        + " kept)");
        assertThat(FondationCliCommand.stepsFrom(k))
                .isEqualTo(k == 1 ? List.of() : FondationCliCommand.STEPS.subList(k - 1, 6));
    }

    @Test
    void everyStepDoneIsCompleteAndRunsNothing() {
        ResumePlan plan = ResumePlan.of(Layout.upTo(6));

        assertThat(plan.isComplete()).isTrue();
        assertThat(plan.firstStep()).isEqualTo(ResumePlan.COMPLETE);
        assertThat(plan.stepsToRun()).isEmpty();
        assertThat(plan.toWrite()).isEmpty();
        assertThat(plan.kept()).hasSize(12);
        assertThat(plan.describe()).isEqualTo("all 6 steps done (12 files kept): no analyzer run");
        assertThat(plan.progress()).isEqualTo(new Progress(6, 6, "Generating interactive tutorials"));
    }

    @Test
    void halfTheChaptersWrittenResumesStep4WithThoseFinal() {
        Map<String, String> files = Layout.upTo(3);
        files.put(chapter(1), "# Chapter 1: Queue\n\nDone.\n");
        files.put(chapter(3), "# Chapter 3: Analyzer\n\nDone.\n");

        ResumePlan plan = ResumePlan.of(files);

        assertThat(plan.firstStep()).isEqualTo(4);
        assertThat(plan.finalFiles(4)).containsExactly(chapter(1), chapter(3));
        assertThat(plan.toWrite())
                .containsExactly(
                        "chapters/chapter_2_worker.md (chapter 2: Worker)",
                        "reviewed-chapters/chapter_1_queue.md (chapter 1: Queue)",
                        "reviewed-chapters/chapter_2_worker.md (chapter 2: Worker)",
                        "reviewed-chapters/chapter_3_analyzer.md (chapter 3: Analyzer)",
                        "tutorials/tutorial_1_queue.md (chapter 1: Queue)",
                        "tutorials/tutorial_2_worker.md (chapter 2: Worker)",
                        "tutorials/tutorial_3_analyzer.md (chapter 3: Analyzer)");
        assertThat(plan.describe()).isEqualTo("resumed at step 4/6 (5 files kept)");
        assertThat(plan.progress()).isEqualTo(new Progress(4, 6, "Generating chapter content"));
    }

    @Test
    void anEmptyChapterIsDroppedWithItsReviewAndTutorialAndStep4IsRedoneForItAlone() {
        Map<String, String> files = Layout.upTo(6);
        files.put(chapter(2), "");
        files.put(reviewed(3), "(no content)");

        ResumePlan plan = ResumePlan.of(files);

        assertThat(plan.firstStep()).isEqualTo(4);
        assertThat(plan.dropped())
                .containsExactly(
                        new ResumePlan.DroppedFile(chapter(2), "is empty"),
                        new ResumePlan.DroppedFile(reviewed(2), "its chapter (chapters/chapter_2_worker.md) is redone"),
                        new ResumePlan.DroppedFile(reviewed(3), "is '(no content)': the model answered nothing"),
                        new ResumePlan.DroppedFile(tutorial(2), "its reviewed chapter (number 2) is redone"),
                        new ResumePlan.DroppedFile(tutorial(3), "its reviewed chapter (number 3) is redone"));
        assertThat(plan.finalFiles(4)).containsExactly(chapter(1), chapter(3));
        assertThat(plan.finalFiles(5)).containsExactly(reviewed(1));
        assertThat(plan.finalFiles(6)).containsExactly(tutorial(1));
        assertThat(plan.droppedPaths()).hasSize(5);
        assertThat(plan.describe()).isEqualTo("resumed at step 4/6 (7 files kept, 5 dropped)");
    }

    @Test
    void aStepYamlThatDoesNotParseIsRedoneWithEveryLaterStep() {
        Map<String, String> files = Layout.upTo(6);
        files.put(Layout.STEP2, "summary: [unclosed\n");

        ResumePlan plan = ResumePlan.of(files);

        assertThat(plan.firstStep()).isEqualTo(2);
        assertThat(plan.kept()).extracting(OutputFile::path).containsExactly(Layout.STEP1);
        assertThat(plan.dropped()).hasSize(11);
        assertThat(plan.dropped().get(plan.droppedPaths().indexOf(Layout.STEP2)).reason())
                .startsWith("invalid YAML");
        assertThat(plan.dropped().get(plan.droppedPaths().indexOf(Layout.STEP3)).reason())
                .isEqualTo("made from step 2's output, which is redone");
        assertThat(plan.toWrite()).first().isEqualTo("step2_relationships.yaml (step 2)");
    }

    @Test
    void anOrderPointingAtNoAbstractionIsRedone() {
        Map<String, String> files = Layout.upTo(4);
        files.put(Layout.STEP3, "order:\n  - index: 7\n    name: Ghost\n");

        ResumePlan plan = ResumePlan.of(files);

        assertThat(plan.firstStep()).isEqualTo(3);
        assertThat(plan.dropped().get(plan.droppedPaths().indexOf(Layout.STEP3)).reason())
                .contains("7 is not an abstraction index");
        assertThat(plan.finalFiles(4)).isEmpty();
    }

    @Test
    void chaptersOutsideTheOrderOrNumberedTwiceAreDropped() {
        Map<String, String> files = Layout.upTo(3);
        files.put(chapter(1), "# Chapter 1: Queue\n");
        files.put("chapters/chapter_1_other.md", "# Chapter 1: Other\n");
        files.put("chapters/chapter_9_ghost.md", "# Chapter 9: Ghost\n");
        files.put("chapters/notes.txt", "not a chapter");

        ResumePlan plan = ResumePlan.of(files);

        assertThat(plan.firstStep()).isEqualTo(4);
        assertThat(plan.finalFiles(4)).isEmpty();
        assertThat(plan.dropped())
                .extracting(ResumePlan.DroppedFile::reason)
                .containsExactly(
                        "2 files are numbered 1",
                        "2 files are numbered 1",
                        "number 9 is not a chapter of step3_order.yaml (1..3)",
                        "is not an output file of the Fondation CLI's layout");
    }

    @Test
    void aFinishedCheckpointIsCompleteOnlyWhileEveryFileIsValid() {
        Map<String, String> files = Layout.upTo(5);
        // No tutorials: by these rules step 6 is unfinished, but the attempt that made them ended successfully.
        ResumePlan finished = ResumePlan.of(files, true, OutputFileCheck.withDefaults());
        assertThat(finished.isComplete()).isTrue();
        assertThat(ResumePlan.of(files, false, OutputFileCheck.withDefaults()).firstStep())
                .isEqualTo(6);

        files.put(chapter(1), "(no content)");
        assertThat(ResumePlan.of(files, true, OutputFileCheck.withDefaults()).firstStep())
                .as("an invalid file: the mark is not trusted")
                .isEqualTo(4);
    }

    @Test
    void nothingToResumeFrom() {
        assertThat(ResumePlan.fromStart().firstStep()).isEqualTo(1);
        assertThat(ResumePlan.fromStart().resumes()).isFalse();
        ResumePlan onlyBad = ResumePlan.of(Map.of(Layout.STEP1, "[]"));
        assertThat(onlyBad.firstStep()).isEqualTo(1);
        assertThat(onlyBad.describe()).isEqualTo("nothing to resume (0 files kept, 1 dropped): runs from step 1/6");
        assertThatThrownBy(() -> FondationCliCommand.stepsFrom(ResumePlan.COMPLETE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restoresTheKeptFilesIntoAnOutputDirectory(@TempDir Path out) throws Exception {
        Map<String, String> files = Layout.upTo(4);
        files.put(chapter(2), "");
        ResumePlan plan = ResumePlan.of(files);

        plan.restoreInto(out);

        assertThat(Files.readString(out.resolve(Layout.STEP1))).isEqualTo(Layout.step1());
        assertThat(Files.readString(out.resolve(chapter(3)))).isEqualTo(files.get(chapter(3)));
        assertThat(out.resolve(chapter(2)))
                .as("dropped: the CLI writes it again")
                .doesNotExist();
        assertThat(plan.contents()).containsOnlyKeys(Layout.STEP1, Layout.STEP2, Layout.STEP3, chapter(1), chapter(3));
    }
}
