package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputProgressTest {

    @TempDir
    Path out;

    @Test
    void theStepUnderWayFollowsTheFilesOfTheStepsBefore() throws Exception {
        assertThat(OutputProgress.step(out.resolve("missing"))).isEqualTo(1);
        assertThat(OutputProgress.step(out)).isEqualTo(1);
        OutputTree.write(out.resolve(StepFiles.ABSTRACTIONS), OutputTree.ABSTRACTIONS);
        assertThat(OutputProgress.step(out)).isEqualTo(2);
        OutputTree.write(out.resolve(StepFiles.RELATIONSHIPS), OutputTree.RELATIONSHIPS);
        assertThat(OutputProgress.step(out)).isEqualTo(3);
        Files.createDirectories(out.resolve("chapters"));
        assertThat(OutputProgress.step(out)).as("an empty chapters directory").isEqualTo(3);
        OutputTree.write(out.resolve("chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n");
        assertThat(OutputProgress.step(out)).isEqualTo(4);
        OutputTree.write(out.resolve("reviewed-chapters/notes.txt"), "not markdown");
        assertThat(OutputProgress.step(out)).isEqualTo(4);
        OutputTree.write(out.resolve("reviewed-chapters/chapter_1_queue.md"), "# Chapter 1: Queue\n");
        assertThat(OutputProgress.step(out)).isEqualTo(5);
        OutputTree.write(out.resolve("tutorials/tutorial_1_queue.md"), "# Interactive Tutorial: Queue\n");
        assertThat(OutputProgress.of(out)).isEqualTo(new Progress(6, 6, ProgressText.ENGLISH_STEPS.get(5)));
    }

    @Test
    void theOrderFileAloneStartsTheChapters() {
        OutputTree.write(out.resolve(StepFiles.ORDER), OutputTree.ORDER);
        assertThat(OutputProgress.step(out)).isEqualTo(4);
    }

    @Test
    void linksAreNotFollowed(@TempDir Path elsewhere) throws Exception {
        OutputTree.write(elsewhere.resolve("tutorial_1_x.md"), "# T\n");
        Files.createSymbolicLink(out.resolve("tutorials"), elsewhere);
        Files.createSymbolicLink(out.resolve(StepFiles.ABSTRACTIONS), elsewhere.resolve("tutorial_1_x.md"));
        assertThat(OutputProgress.step(out)).isEqualTo(1);
    }
}
