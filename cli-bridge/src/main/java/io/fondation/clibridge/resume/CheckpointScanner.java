package io.fondation.clibridge.resume;

import io.fondation.clibridge.output.StepFiles;
import io.fondation.shared.CheckpointFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds, in an analyzer's output directory, the output files that are complete and valid, each once per content: what
 * an attempt saves as its job's checkpoint while it runs.
 *
 * <p>A file still being written is not taken. A file is taken once it stopped changing (its size and modification
 * time the same for {@code settle}), or once its step has ended: the analyzer reports a later step, a file of a later
 * step exists, or the analyzer stopped. It is then read and judged by {@link OutputFileCheck}; a valid file is reported
 * when its content differs from what was reported (or restored) for that path before, so a file rewritten later (a
 * step 1 to 3 YAML the model edits again) is reported again. An invalid file is not reported, and is judged again
 * when it changes. Links and other non-regular files are never read.
 *
 * <p>Not thread-safe: one caller scans (a watcher thread, then the thread that saw the analyzer exit).
 */
public final class CheckpointScanner {

    /** How long a file must stay unchanged before it is taken while its step still runs. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(2);

    private static final List<String> SECTIONS = List.of("chapters", "reviewed-chapters", "tutorials");
    private static final List<String> STEP_FILES =
            List.of(StepFiles.ABSTRACTIONS, StepFiles.RELATIONSHIPS, StepFiles.ORDER);

    private final Path outputDir;
    private final OutputFileCheck check;
    private final Duration settle;
    private final Clock clock;
    /** Path to the size and modification time last seen, and since when. */
    private final Map<String, Seen> seen = new HashMap<>();
    /** Path to the SHA-256 of the content reported (or restored) last. */
    private final Map<String, String> reported = new HashMap<>();
    /** Path to why its current content is not taken. */
    private final Map<String, String> invalid = new TreeMap<>();

    private record Stamp(long size, Instant modified) {}

    private record Seen(Stamp stamp, Instant since, boolean judged) {}

    /**
     * @param outputDir the analyzer's output directory
     * @param check judges each file
     * @param settle how long a file must stay unchanged to be taken before its step ends
     * @param clock the time the settling is measured with
     */
    public CheckpointScanner(Path outputDir, OutputFileCheck check, Duration settle, Clock clock) {
        this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        this.check = Objects.requireNonNull(check, "check");
        this.settle = Objects.requireNonNull(settle, "settle");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("settle must not be negative, was " + settle);
        }
    }

    /**
     * Files already saved (those restored from the checkpoint): reported again only if their content changes.
     *
     * @param contents path to content
     */
    public CheckpointScanner alreadySaved(Map<String, String> contents) {
        contents.forEach((path, content) -> reported.put(path, new CheckpointFile(path, content).sha256()));
        return this;
    }

    /**
     * Looks at the output directory once.
     *
     * @param stepUnderWay the step the analyzer reports it is running (1 to 6; 0 when it has said nothing)
     * @param analyzerStopped whether the analyzer has stopped: every file is then as complete as it will be
     * @return the files that became complete and valid since the last scan, in step order
     */
    public List<OutputFile> scan(int stepUnderWay, boolean analyzerStopped) {
        Map<String, Stamp> present = list();
        int highestStep = present.keySet().stream()
                .mapToInt(path -> OutputFile.stepOf(path).orElse(0))
                .max()
                .orElse(0);
        Instant now = clock.instant();
        List<OutputFile> found = new ArrayList<>();
        seen.keySet().retainAll(present.keySet());
        invalid.keySet().retainAll(present.keySet());
        for (Map.Entry<String, Stamp> entry : present.entrySet()) {
            String path = entry.getKey();
            Stamp stamp = entry.getValue();
            Seen before = seen.get(path);
            Seen current = before != null && before.stamp().equals(stamp) ? before : new Seen(stamp, now, false);
            int step = OutputFile.stepOf(path).orElseThrow();
            boolean stepEnded = analyzerStopped || stepUnderWay > step || highestStep > step;
            boolean settled =
                    !Duration.between(current.since(), now).minus(settle).isNegative() && before == current;
            if (!current.judged() && (stepEnded || settled)) {
                judge(path).ifPresent(found::add);
                current = new Seen(stamp, current.since(), true);
            }
            seen.put(path, current);
        }
        found.sort((a, b) -> a.step() != b.step()
                ? Integer.compare(a.step(), b.step())
                : a.path().compareTo(b.path()));
        return found;
    }

    /** The output files whose current content is not taken, and why; by path. */
    public Map<String, String> invalid() {
        return Map.copyOf(invalid);
    }

    private Optional<OutputFile> judge(String path) {
        byte[] bytes;
        try {
            bytes = read(outputDir.resolve(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            invalid.put(path, "cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        OutputFileCheck.Verdict verdict = check.check(path, bytes);
        if (verdict instanceof OutputFileCheck.Verdict.Valid valid) {
            invalid.remove(path);
            String sha = valid.file().toCheckpointFile().sha256();
            if (sha.equals(reported.get(path))) {
                return Optional.empty();
            }
            reported.put(path, sha);
            return Optional.of(valid.file());
        }
        if (verdict instanceof OutputFileCheck.Verdict.Invalid bad) {
            invalid.put(path, bad.reason());
        }
        return Optional.empty();
    }

    /** The output files present, with their size and modification time; links and directories left out. */
    private Map<String, Stamp> list() {
        Map<String, Stamp> files = new TreeMap<>();
        for (String name : STEP_FILES) {
            stamp(outputDir.resolve(name)).ifPresent(stamp -> files.put(name, stamp));
        }
        for (String section : SECTIONS) {
            Path dir = outputDir.resolve(section);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.md")) {
                for (Path file : entries) {
                    String path = section + "/" + file.getFileName();
                    if (OutputFile.stepOf(path).isPresent()) {
                        stamp(file).ifPresent(stamp -> files.put(path, stamp));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // why: a directory that vanishes or cannot be listed has nothing to take now; the next scan retries
            }
        }
        return files;
    }

    private static Optional<Stamp> stamp(Path file) {
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile()
                    ? Optional.of(new Stamp(
                            attributes.size(), attributes.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private byte[] read(Path file) throws IOException {
        // why: NOFOLLOW_LINKS opens with O_NOFOLLOW, so a file swapped for a link after the listing is refused
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            // one byte over the limit is enough for the check to refuse it
            return in.readNBytes(Math.toIntExact(Math.min(Integer.MAX_VALUE - 64, check.maxFileBytes() + 1)));
        }
    }
}
