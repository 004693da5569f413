package io.fondation.clibridge.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.contract.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointScannerTest {

    private static final Duration SETTLE = Duration.ofSeconds(2);

    @TempDir
    Path out;

    private final MutableClock clock = MutableClock.startingAtDefault();
    private CheckpointScanner scanner;
    private Instant modified = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeEach
    void setUp() {
        scanner = new CheckpointScanner(out, OutputFileCheck.withDefaults(), SETTLE, clock);
    }

    /** Writes a file with a modification time of its own, as a writer would leave it. */
    private void write(String path, String content) throws Exception {
        Path file = out.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        modified = modified.plusSeconds(1);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private static List<String> paths(List<OutputFile> files) {
        return files.stream().map(OutputFile::path).toList();
    }

    @Test
    void aFileIsTakenOnceItStoppedChangingForTheSettleTime() throws Exception {
        write(Layout.STEP1, "- name: Queue\n");
        assertThat(scanner.scan(1, false)).as("just appeared").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        write(Layout.STEP1, "- name: Queue\n  description: still being written\n");
        assertThat(scanner.scan(1, false)).as("it changed").isEmpty();
        clock.advance(SETTLE.minusMillis(1));
        assertThat(scanner.scan(1, false)).as("not settled yet").isEmpty();
        clock.advance(Duration.ofMillis(1));

        List<OutputFile> taken = scanner.scan(1, false);

        assertThat(taken).singleElement().satisfies(file -> {
            assertThat(file.path()).isEqualTo(Layout.STEP1);
            assertThat(file.content()).isEqualTo("- name: Queue\n  description: still being written\n");
        });
        clock.advance(Duration.ofMinutes(1));
        assertThat(scanner.scan(1, false)).as("each content once").isEmpty();
    }

    @Test
    void aFileIsTakenAtOnceWhenItsStepHasEnded() throws Exception {
        write(Layout.STEP1, Layout.step1());
        assertThat(scanner.scan(2, false)).as("the analyzer reports step 2").hasSize(1);

        write(Layout.STEP2, Layout.step2());
        write(Layout.STEP3, Layout.step3());
        assertThat(paths(scanner.scan(2, false)))
                .as("step 3's file exists, so step 2 ended; step 3 may still be written")
                .containsExactly(Layout.STEP2);

        write(Layout.chapter(1), "# Chapter 1: Queue\n");
        assertThat(paths(scanner.scan(0, false))).containsExactly(Layout.STEP3);
        assertThat(paths(scanner.scan(0, true)))
                .as("the analyzer stopped: every file is as complete as it will be")
                .containsExactly(Layout.chapter(1));
    }

    @Test
    void invalidFilesAreNotTakenAndAreJudgedAgainWhenTheyChange() throws Exception {
        write(Layout.chapter(1), "");
        write(Layout.chapter(2), "(no content)");
        assertThat(scanner.scan(5, false)).isEmpty();
        assertThat(scanner.invalid())
                .containsEntry(Layout.chapter(1), "is empty")
                .containsKey(Layout.chapter(2));

        write(Layout.chapter(1), "# Chapter 1: Queue\n\nNow written.\n");
        assertThat(paths(scanner.scan(5, false))).containsExactly(Layout.chapter(1));
        assertThat(scanner.invalid()).containsOnlyKeys(Layout.chapter(2));
    }

    @Test
    void aRewrittenFileIsTakenAgainAndARestoredOneOnlyWhenItChanges() throws Exception {
        scanner.alreadySaved(Map.of(Layout.STEP1, Layout.step1()));
        write(Layout.STEP1, Layout.step1());
        write(Layout.chapter(1), "# Chapter 1: Queue\n");
        assertThat(paths(scanner.scan(5, false)))
                .as("step 1 was restored as it is")
                .containsExactly(Layout.chapter(1));

        write(Layout.chapter(1), "# Chapter 1: Queue\n\nEdited.\n");
        write(Layout.STEP1, Layout.step1() + "- name: Extra\n  description: Added.\n");
        assertThat(paths(scanner.scan(5, false))).containsExactly(Layout.STEP1, Layout.chapter(1));
    }

    @Test
    void linksDirectoriesAndOtherFilesAreNeverRead() throws Exception {
        Path secret = Files.writeString(out.getParent().resolve("secret.md"), "# Secret\n");
        Files.createDirectories(out.resolve("chapters"));
        Files.createSymbolicLink(out.resolve("chapters/chapter_1_link.md"), secret);
        Files.createDirectories(out.resolve("chapters/chapter_2_dir.md"));
        write("notes.md", "# Notes\n");
        write("chapters/sub/chapter_3_x.md", "# Chapter 3\n");

        assertThat(scanner.scan(6, true)).isEmpty();
        assertThat(scanner.invalid()).isEmpty();
    }
}
