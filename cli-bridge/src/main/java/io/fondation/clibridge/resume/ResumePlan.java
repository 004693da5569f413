package io.fondation.clibridge.resume;

import io.fondation.clibridge.output.Abstraction;
import io.fondation.clibridge.output.ChapterOrder;
import io.fondation.clibridge.output.ChapterOrderEntry;
import io.fondation.clibridge.output.OutputException;
import io.fondation.clibridge.output.Relationships;
import io.fondation.clibridge.output.StepFiles;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What an attempt resumes from: given the files an earlier attempt left (a job's checkpoint), the first step not
 * finished, the files to restore into the output directory, the files dropped and why, and what is still to write.
 *
 * <p>The rules follow the Fondation CLI (shared/reference/fondation-system.md §2): each step reads the earlier ones only
 * from files; steps 1 to 3 always run again when listed, so a step among them that is missing or invalid is redone
 * with every later step, and nothing made from its old output is kept; steps 4 to 6 skip, file by file, a file that
 * exists, so their valid files are kept and only the missing ones are written. Chapters are numbered 1 to N by their
 * place in {@code step3_order.yaml}; a reviewed chapter has its chapter's file name; a tutorial has its chapter's
 * number. A file is kept only while what it was made from is kept: a reviewed chapter whose chapter is dropped is
 * dropped too (the CLI would otherwise keep a review of a chapter that is written again), and so is a tutorial whose
 * reviewed chapter is dropped. Invalid files ({@link OutputFileCheck}: an empty chapter, {@value
 * OutputFileCheck#NO_CONTENT}, a YAML that does not parse) are dropped, so that the CLI writes them again instead of
 * skipping them for ever.
 *
 * <p>The reference is silent on how the real CLI numbers chapters; this follows the project's fixtures and the
 * {@code claude} analyzer's contract (the n-th entry of the order is chapter n, from 1), and drops a chapter whose
 * number is not one of 1..N. It is also silent on whether every reviewed chapter gets a tutorial; this expects one,
 * so step 6 is unfinished while one is missing (running it again costs the missing tutorials' requests only). A
 * checkpoint marked finished ({@link io.fondation.shared.Checkpoint#finished()}) whose files are all valid is complete
 * whatever these rules say.
 */
public final class ResumePlan {

    /** {@link #firstStep()} when nothing is left to run. */
    public static final int COMPLETE = Progress.FONDATION_STEPS + 1;

    private static final Comparator<OutputFile> BY_STEP_THEN_INDEX = Comparator.comparingInt(OutputFile::step)
            .thenComparing(file -> file.index() == null ? 0 : file.index())
            .thenComparing(OutputFile::path);

    private final int firstStep;
    private final List<OutputFile> kept;
    private final List<DroppedFile> dropped;
    private final List<String> toWrite;

    private ResumePlan(int firstStep, List<OutputFile> kept, List<DroppedFile> dropped, List<String> toWrite) {
        this.firstStep = firstStep;
        this.kept = kept.stream().sorted(BY_STEP_THEN_INDEX).toList();
        this.dropped =
                dropped.stream().sorted(Comparator.comparing(DroppedFile::path)).toList();
        this.toWrite = List.copyOf(toWrite);
    }

    /** A file left out of the resume, and why (for the log and the job row). */
    public record DroppedFile(String path, String reason) {}

    /** Nothing to resume from: every step runs. */
    public static ResumePlan fromStart() {
        return new ResumePlan(1, List.of(), List.of(), List.of());
    }

    /** The plan for the files of a checkpoint that is not marked finished, checked with the default limits. */
    public static ResumePlan of(Map<String, String> files) {
        return of(files, false, OutputFileCheck.withDefaults());
    }

    /**
     * The plan for files an earlier attempt left.
     *
     * @param files path to content (a checkpoint's {@code contents()})
     * @param finished whether that attempt's analyzer ended successfully with exactly these files
     * @param check how each file is judged
     */
    public static ResumePlan of(Map<String, String> files, boolean finished, OutputFileCheck check) {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(check, "check");
        return new Planner(files, check).plan(finished);
    }

    /** The first step to run (1 to 6), or {@link #COMPLETE} when every step is done. */
    public int firstStep() {
        return firstStep;
    }

    /** Whether every step is done: the course can be collected from the restored files without the analyzer. */
    public boolean isComplete() {
        return firstStep == COMPLETE;
    }

    /** Whether anything is resumed: a step is skipped or a file kept. */
    public boolean resumes() {
        return firstStep > 1 || !kept.isEmpty();
    }

    /** The steps to run, in order (steps 4 to 6 write only the files they lack). */
    public List<Integer> stepsToRun() {
        return IntStream.range(firstStep, COMPLETE).boxed().toList();
    }

    /** How many steps are done and not run again. */
    public int stepsResumed() {
        return firstStep - 1;
    }

    /** The files to restore into the output directory, by step, then number, then path. */
    public List<OutputFile> kept() {
        return kept;
    }

    /** The files dropped, and why, by path. */
    public List<DroppedFile> dropped() {
        return dropped;
    }

    /** The paths of {@link #dropped()}: to remove from the checkpoint, so that no later resume restores them. */
    public List<String> droppedPaths() {
        return dropped.stream().map(DroppedFile::path).toList();
    }

    /** The kept files of {@code step} (4 to 6: those the step skips, since they exist), by number. */
    public List<String> finalFiles(int step) {
        return kept.stream()
                .filter(file -> file.step() == step)
                .map(OutputFile::path)
                .toList();
    }

    /**
     * What is still to write, in words an analyzer's prompt can use, in step order, e.g.
     * {@code chapters/chapter_3_parser.md (chapter 3: Parser)}; empty when complete.
     */
    public List<String> toWrite() {
        return toWrite;
    }

    /**
     * Writes the kept files into {@code outputDir} (creating its directories), for the analyzer to find as the
     * Fondation CLI's earlier steps would have left them.
     *
     * @throws IOException when a file cannot be written; a path whose directory is a link is refused
     */
    public void restoreInto(Path outputDir) throws IOException {
        for (OutputFile file : kept) {
            Path target = outputDir.resolve(file.path()).normalize();
            if (!target.startsWith(outputDir.normalize())) {
                throw new IOException(file.path() + " is outside " + outputDir);
            }
            Path parent = target.getParent();
            Files.createDirectories(parent);
            if (Files.isSymbolicLink(parent) || Files.isSymbolicLink(target)) {
                throw new IOException(file.path() + ": a symbolic link is in the way; not restored");
            }
            Files.writeString(target, file.content());
        }
    }

    /**
     * The progress to show when the attempt starts: step {@link #firstStep()} of 6 (6 when complete), in the Fondation
     * CLI's words.
     */
    public Progress progress() {
        int step = Math.min(firstStep, Progress.FONDATION_STEPS);
        return new Progress(step, Progress.FONDATION_STEPS, ProgressText.ENGLISH_STEPS.get(step - 1));
    }

    /**
     * For the log and the job row: {@code resumed at step 5/6 (9 files kept)}, {@code all 6 steps done (12 files
     * kept): no analyzer run}, or {@code nothing to resume: runs from step 1/6}; with the number of files dropped.
     */
    public String describe() {
        String droppedNote = dropped.isEmpty() ? "" : ", " + dropped.size() + " dropped";
        String files = kept.size() + (kept.size() == 1 ? " file" : " files") + " kept" + droppedNote;
        if (isComplete()) {
            return "all " + Progress.FONDATION_STEPS + " steps done (" + files + "): no analyzer run";
        }
        if (!resumes()) {
            return "nothing to resume" + (dropped.isEmpty() ? "" : " (" + files + ")") + ": runs from step 1/"
                    + Progress.FONDATION_STEPS;
        }
        return "resumed at step " + firstStep + "/" + Progress.FONDATION_STEPS + " (" + files + ")";
    }

    @Override
    public String toString() {
        return "ResumePlan[" + describe() + "]";
    }

    /** The slug a chapter's name gets in a file name: lower case, words joined by '-' (a-z, 0-9, -). */
    static String slug(String name) {
        String slug =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "chapter" : slug;
    }

    // ---------------------------------------------------------------- the rules

    /** Works the plan out once. */
    private static final class Planner {
        private final OutputFileCheck check;
        private final Map<String, OutputFile> valid = new TreeMap<>();
        private final List<DroppedFile> dropped = new ArrayList<>();
        private final List<OutputFile> kept = new ArrayList<>();
        private final List<String> toWrite = new ArrayList<>();

        Planner(Map<String, String> files, OutputFileCheck check) {
            this.check = check;
            files.forEach((path, content) -> {
                OutputFileCheck.Verdict verdict = check.check(path, content);
                if (verdict instanceof OutputFileCheck.Verdict.Valid ok) {
                    valid.put(path, ok.file());
                } else if (verdict instanceof OutputFileCheck.Verdict.Invalid bad) {
                    dropped.add(new DroppedFile(path, bad.reason()));
                } else {
                    dropped.add(new DroppedFile(path, "is not an output file of the Fondation CLI's layout"));
                }
            });
        }

        ResumePlan plan(boolean finished) {
            int redo = firstInvalidStepFile();
            if (redo <= 3) {
                keepStepFilesBefore(redo);
                for (OutputFile file : valid.values()) {
                    if (file.step() >= redo) {
                        dropped.add(
                                new DroppedFile(file.path(), "made from step " + redo + "'s output, which is redone"));
                    }
                }
                for (int step = redo; step <= Progress.FONDATION_STEPS; step++) {
                    toWrite.add(describeStep(step));
                }
                return new ResumePlan(redo, kept, dropped, toWrite);
            }
            keepStepFilesBefore(4);
            List<Abstraction> abstractions = parsed(1);
            ChapterOrder order = parsed(3);
            int first = chapters(order.order(), abstractions);
            if (finished && dropped.isEmpty()) {
                // why: the attempt that made them ended successfully with exactly these files
                return new ResumePlan(COMPLETE, kept, dropped, List.of());
            }
            return new ResumePlan(first, kept, dropped, first == COMPLETE ? List.of() : toWrite);
        }

        /** The first of steps 1 to 3 whose file is missing or invalid (their cross-references included), or 4. */
        private int firstInvalidStepFile() {
            String[] names = {StepFiles.ABSTRACTIONS, StepFiles.RELATIONSHIPS, StepFiles.ORDER};
            for (int step = 1; step <= 3; step++) {
                if (!valid.containsKey(names[step - 1])) {
                    return step;
                }
            }
            List<Abstraction> abstractions = parsed(1);
            try {
                StepFiles.crossCheck(abstractions, (Relationships) parsed(2), null);
            } catch (OutputException e) {
                return dropStepFile(2, e);
            }
            try {
                StepFiles.crossCheck(abstractions, null, parsed(3));
            } catch (OutputException e) {
                return dropStepFile(3, e);
            }
            return 4;
        }

        private int dropStepFile(int step, OutputException e) {
            OutputFile file = valid.values().stream()
                    .filter(f -> f.step() == step)
                    .findFirst()
                    .orElseThrow();
            valid.remove(file.path());
            dropped.add(new DroppedFile(file.path(), OutputFileCheck.problem(e)));
            return step;
        }

        private void keepStepFilesBefore(int step) {
            valid.values().stream().filter(file -> file.step() < step).forEach(kept::add);
        }

        @SuppressWarnings("unchecked")
        private <T> T parsed(int step) {
            OutputFile file = valid.values().stream()
                    .filter(f -> f.step() == step)
                    .findFirst()
                    .orElseThrow();
            return (T) check.parsedStepFile(step, file.path(), file.content());
        }

        /** Keeps the chapter files that hold and says which step is the first unfinished one (4, 5, 6 or 7). */
        private int chapters(List<ChapterOrderEntry> order, List<Abstraction> abstractions) {
            int count = order.size();
            Map<Integer, OutputFile> chapters = unique(4, count, "a chapter of step3_order.yaml");
            Map<Integer, OutputFile> reviewed = new HashMap<>();
            for (OutputFile file : filesOf(5)) {
                OutputFile chapter = chapters.get(file.index());
                if (chapter == null || !chapter.name().equals(file.name())) {
                    dropped.add(new DroppedFile(file.path(), "its chapter (chapters/" + file.name() + ") is redone"));
                } else {
                    reviewed.put(file.index(), file);
                }
            }
            Map<Integer, OutputFile> tutorials = new HashMap<>();
            Map<Integer, List<OutputFile>> tutorialsByIndex = byIndex(filesOf(6));
            tutorialsByIndex.forEach((index, files) -> {
                if (files.size() > 1) {
                    files.forEach(file -> dropped.add(
                            new DroppedFile(file.path(), files.size() + " tutorials are numbered " + index)));
                } else if (!reviewed.containsKey(index)) {
                    dropped.add(new DroppedFile(
                            files.get(0).path(), "its reviewed chapter (number " + index + ") is redone"));
                } else {
                    tutorials.put(index, files.get(0));
                }
            });
            kept.addAll(chapters.values());
            kept.addAll(reviewed.values());
            kept.addAll(tutorials.values());

            List<String> chaptersToWrite = new ArrayList<>();
            List<String> reviewsToWrite = new ArrayList<>();
            List<String> tutorialsToWrite = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                String name = chapterName(order.get(n - 1), abstractions, n);
                String file =
                        chapters.containsKey(n) ? chapters.get(n).name() : "chapter_" + n + "_" + slug(name) + ".md";
                String what = " (chapter " + n + ": " + name + ")";
                if (!chapters.containsKey(n)) {
                    chaptersToWrite.add("chapters/" + file + what);
                }
                if (!reviewed.containsKey(n)) {
                    reviewsToWrite.add("reviewed-chapters/" + file + what);
                }
                if (!tutorials.containsKey(n)) {
                    tutorialsToWrite.add("tutorials/tutorial_" + n + "_" + slug(name) + ".md" + what);
                }
            }
            toWrite.addAll(chaptersToWrite);
            toWrite.addAll(reviewsToWrite);
            toWrite.addAll(tutorialsToWrite);
            if (!chaptersToWrite.isEmpty()) {
                return 4;
            }
            if (!reviewsToWrite.isEmpty()) {
                return 5;
            }
            return tutorialsToWrite.isEmpty() ? COMPLETE : 6;
        }

        /** The valid files of {@code step} numbered 1..count, one per number; the others dropped. */
        private Map<Integer, OutputFile> unique(int step, int count, String what) {
            Map<Integer, OutputFile> unique = new HashMap<>();
            byIndex(filesOf(step)).forEach((index, files) -> {
                if (index < 1 || index > count) {
                    files.forEach(file -> dropped.add(new DroppedFile(
                            file.path(), "number " + index + " is not " + what + " (1.." + count + ")")));
                } else if (files.size() > 1) {
                    files.forEach(file ->
                            dropped.add(new DroppedFile(file.path(), files.size() + " files are numbered " + index)));
                } else {
                    unique.put(index, files.get(0));
                }
            });
            return unique;
        }

        private List<OutputFile> filesOf(int step) {
            return valid.values().stream().filter(file -> file.step() == step).toList();
        }

        private static Map<Integer, List<OutputFile>> byIndex(List<OutputFile> files) {
            Map<Integer, List<OutputFile>> byIndex = new LinkedHashMap<>();
            files.forEach(file -> byIndex.computeIfAbsent(file.index(), k -> new ArrayList<>())
                    .add(file));
            return byIndex;
        }

        private static String chapterName(ChapterOrderEntry entry, List<Abstraction> abstractions, int n) {
            if (!entry.name().isBlank()) {
                return entry.name();
            }
            return entry.index() < abstractions.size()
                    ? abstractions.get(entry.index()).name()
                    : "chapter " + n;
        }

        private static String describeStep(int step) {
            return switch (step) {
                case 1 -> StepFiles.ABSTRACTIONS + " (step 1)";
                case 2 -> StepFiles.RELATIONSHIPS + " (step 2)";
                case 3 -> StepFiles.ORDER + " (step 3)";
                case 4 -> "every chapter in chapters/ (step 4)";
                case 5 -> "every reviewed chapter in reviewed-chapters/ (step 5)";
                default -> "every tutorial in tutorials/ (step 6)";
            };
        }
    }

    /** An unmodifiable view of the kept files as path to content, in {@link #kept()} order. */
    public Map<String, String> contents() {
        Map<String, String> contents = new LinkedHashMap<>();
        kept.forEach(file -> contents.put(file.path(), file.content()));
        return Collections.unmodifiableMap(contents);
    }
}
